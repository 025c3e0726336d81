/* The reply box's canned-reply picker (desk.forms.CannedReplySelect). Choosing one inserts its
   text, written out for this ticket by the server, into the message at the cursor, and sets the
   ticket's status select when the canned reply says a status; a note beside the picker says what
   changed. The picker then returns to its empty choice, so the page sends only what the agent
   sees: the message as it stands and the status select as it stands. */
"use strict";

(function () {
  function setUp(picker) {
    const replies = document.getElementById(picker.id + "-replies");
    const message = document.getElementById(picker.id.replace(/canned_reply$/, "text"));
    const note = document.getElementById(picker.id + "-note");
    if (!replies || !message || !note) {
      return;
    }
    const byId = JSON.parse(replies.textContent);
    picker.addEventListener("change", function () {
      const reply = byId[picker.value];
      if (!reply) {
        return;
      }
      const title = picker.options[picker.selectedIndex].text;
      message.setRangeText(reply.text, message.selectionStart, message.selectionEnd, "end");
      message.dispatchEvent(new Event("input", { bubbles: true }));
      let said = "Inserted \u201c" + title + "\u201d.";
      const status = document.getElementById(picker.dataset.statusInput);
      if (reply.status && status) {
        status.value = reply.status;
        status.dispatchEvent(new Event("change", { bubbles: true }));
        status.classList.add("desk-canned-status");
        said += " Status set to " + reply.status + ".";
      }
      note.textContent = said;
      picker.value = "";
      message.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-status-input]").forEach(function (picker) {
      if (!picker.id.includes("__prefix__")) {
        setUp(picker);
      }
    });
  });
})();

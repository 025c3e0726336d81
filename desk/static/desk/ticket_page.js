// The ticket page (admin/tickets/ticket/change_form.html): the conversation panel opens scrolled
// to its newest message, which is the last (oldest first), right above the reply box.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const messages of document.querySelectorAll(".desk-messages")) {
    messages.scrollTop = messages.scrollHeight;
  }
});

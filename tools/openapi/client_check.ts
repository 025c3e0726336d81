// A TypeScript client generated from openapi.yaml alone works against the live service.
//
// `make api-check` (scripts/api_check.sh) writes generated/schema.ts with openapi-typescript,
// type-checks this file against it with tsc (strict), then runs it with node: every operation of
// the description (each path with and without its trailing slash) is called once through
// openapi-fetch and must answer 200 with the result the types promise.
//
// Usage: node generated/js/client_check.js <service base URL> (the token in CRM_API_CHECK_TOKEN).
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

declare const process: { argv: string[]; env: Record<string, string | undefined>; exit(code: number): never };

type Schemas = components["schemas"];
const baseUrl = process.argv[2] ?? "http://127.0.0.1:8000";
const token = process.env.CRM_API_CHECK_TOKEN ?? "";
const fixed = {
  correlationId: "123e4567-e89b-12d3-a456-426614174000",
  source: "Selfcare",
  srDate: "11-09-2021",
  destination: "CRM",
} as const;
const contactId = "649797";
// E8's file: a real 1x1 PNG. openapi-typescript types a binary part as a string, so the body
// carries it as a binary string (one character a byte) and formData() turns it into bytes.
const png = atob(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC",
);
const bytesOf = (binary: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(binary, (char) => char.charCodeAt(0));

function formData(body: Schemas["TicketAttachmentRequest"]): FormData {
  const form = new FormData();
  form.append("ticketNo", body.ticketNo);
  form.append("contactId", body.contactId);
  form.append("file", new Blob([bytesOf(body.file)]), "screenshot.png");
  return form;
}
let calls = 0;

function ok<T>(label: string, answer: { data?: T; response: Response }): T {
  calls += 1;
  if (answer.response.status !== 200 || answer.data === undefined) {
    console.error(`${label}: ${answer.response.status}`);
    process.exit(1);
  }
  return answer.data;
}

const tableBody: Schemas["TicketCreateRequest"] = {
  ticketStatus: "Open",
  effectiveDate: "2021-09-11",
  ticketCategories: "Plan change",
  tickettitle: "Plan change",
  description: "Plan change request for ",
  subcategory: "sub1",
  status: "New",
  category: "cat1",
  voucherType: "",
  voucherIdFormat: "",
  passwordPattern: "",
  source: "app",
};
// The README's body: the document's example spelling.
const documentBody: Schemas["TicketCreateDocumentRequest"] = {
  source: "app",
  ticketstatus: "open",
  effectivedate: "",
  ticketcategories: "Plan change",
  ticket_title: "Plan change",
  description: "Plan change request for ",
  subcategory: "sub1",
  status: "New",
  category: "cat1",
  vouchertype: "",
  voucheridformat: "",
  passwordpattern: "",
};

// The types refuse what the service refuses: tsc fails if either of these compiles.
// @ts-expect-error a ticket needs its title
export const untitled: Schemas["TicketCreateRequest"] = { ...tableBody, tickettitle: undefined };
// @ts-expect-error effectiveDate is text (a date or ""), not a number
export const numericDate: Schemas["TicketCreateRequest"] = { ...tableBody, effectiveDate: 20210911 };

async function main(): Promise<void> {
  const client = createClient<paths>({ baseUrl, headers: { token } });
  for (const slash of ["", "/"] as const) {
    const created = ok(
      `E5${slash}`,
      await client.POST(slash ? "/crm/v1/ticket/" : "/crm/v1/ticket", {
        params: { header: { ...fixed, operation: "create" } },
        body: tableBody,
      }),
    );
    const ticketNo: string = created.response.result.ticket_no;
    ok(
      `E5${slash} document spelling`,
      await client.POST(slash ? "/crm/v1/ticket/" : "/crm/v1/ticket", {
        params: { header: { ...fixed, operation: "CREATE" } },
        body: documentBody,
      }),
    );
    const social: Schemas["SocialTicketCreateRequest"] = { ...tableBody, contactId: 649797 };
    ok(
      `E3${slash}`,
      await client.POST(slash ? "/crm/v1/social/ticket/" : "/crm/v1/social/ticket", {
        params: { header: { ...fixed, operation: "create" } },
        body: social,
        headers: { token: null },
      }),
    );
    const socialDocument: Schemas["SocialTicketCreateDocumentRequest"] = { ...documentBody, contactId: null };
    ok(
      `E3${slash} document spelling`,
      await client.POST(slash ? "/crm/v1/social/ticket/" : "/crm/v1/social/ticket", {
        params: { header: { ...fixed, operation: "create" } },
        body: socialDocument,
      }),
    );
    ok(
      `E4${slash}`,
      await client.POST(slash ? "/crm/v1/ticket/comment/" : "/crm/v1/ticket/comment", {
        params: { header: { ...fixed, operation: "addTicketComment", data: "venki testing" } },
        body: { ticketNo, contactId },
      }),
    );
    const conversation = ok(
      `E6${slash}`,
      await client.GET(slash ? "/crm/v1/ticket/comments/" : "/crm/v1/ticket/comments", {
        params: { header: { ...fixed, operation: "ticketComments" }, query: { ticketNo } },
      }),
    );
    const first: Schemas["TicketComment"] | undefined = conversation.response.result[0];
    if (first?.commentcontent !== "venki testing") throw new Error(`E6${slash}: ${JSON.stringify(first)}`);
    ok(
      `E7${slash}`,
      await client.GET(slash ? "/crm/v1/ticket/" : "/crm/v1/ticket", {
        params: { header: { ...fixed, operation: "ticketRecord" }, query: { ticketNo } },
      }),
    );
    const added = ok(
      `E8${slash}`,
      await client.POST(slash ? "/crm/v1/ticket/attachment/" : "/crm/v1/ticket/attachment", {
        params: { header: { ...fixed, operation: "addTicketAttachment" } },
        body: { ticketNo, contactId, file: png },
        bodySerializer: formData,
      }),
    ).response.result;
    if (added.contenttype !== "image/png" || added.size !== String(png.length)) {
      throw new Error(`E8${slash}: ${JSON.stringify(added)}`);
    }
    const attachments = ok(
      `E9${slash}`,
      await client.GET(slash ? "/crm/v1/ticket/attachments/" : "/crm/v1/ticket/attachments", {
        params: { header: { ...fixed, operation: "ticketAttachments" }, query: { ticketNo } },
      }),
    ).response.result;
    if (attachments.map((item) => item.id).join() !== added.id) throw new Error(`E9${slash}`);
    const file = ok(
      `E10${slash}`,
      await client.GET(slash ? "/crm/v1/ticket/attachment/" : "/crm/v1/ticket/attachment", {
        params: { header: { ...fixed, operation: "ticketAttachment" }, query: { id: added.id } },
        parseAs: "arrayBuffer",
      }),
    );
    if (new Uint8Array(file).join() !== bytesOf(png).join()) {
      throw new Error(`E10${slash}: not the PNG uploaded`);
    }
    const closed = ok(
      `E11${slash}`,
      await client.POST(slash ? "/crm/v1/ticket/status/" : "/crm/v1/ticket/status", {
        params: { header: { ...fixed, operation: "updateTicketStatus" } },
        body: { ticketNo: Number(ticketNo.slice(2)), ticketStatus: "closed", contactId: 649797 },
      }),
    );
    const status: Schemas["TicketStatusEnum"] = closed.response.result.ticketstatus;
    if (status !== "Closed") throw new Error(`E11${slash}: ${status}`);
    const rated = ok(
      `E12${slash}`,
      await client.POST(slash ? "/crm/v1/ticket/rating/" : "/crm/v1/ticket/rating", {
        params: { header: { ...fixed, operation: "rateTicket" } },
        body: { ticketNo, rating: 5, comment: "Quick and clear.", contactId },
      }),
    );
    if (rated.response.result.rating !== "5") throw new Error(`E12${slash}`);
    const listed = ok(
      `E1${slash}`,
      await client.GET(slash ? "/crm/v1/ticket/details/" : "/crm/v1/ticket/details", {
        params: { header: { ...fixed, operation: "ticketDetail" }, query: { status: "Closed", limit: 2 } },
      }),
    );
    if (listed.response.result[0]?.ticket_no !== ticketNo) throw new Error(`E1${slash}`);
    const catalogue = ok(
      `E2${slash}`,
      await client.GET(slash ? "/crm/v1/ticket/issues/" : "/crm/v1/ticket/issues", {
        params: { header: { ...fixed, operation: "issueTypes" } },
      }),
    );
    if (catalogue.response.result.issueTypes.length === 0) throw new Error(`E2${slash}`);
  }
  console.log(`TypeScript client: ${calls} calls, every operation answered 200 with its result`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

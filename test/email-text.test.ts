/** emailText: the subject and readable body of a raw MIME e-mail (test/helpers/email-text.ts). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { emailText } from "./helpers/email-text.js";

test("a plain message gives its subject, a blank line and its body; headers are dropped", () => {
  const raw =
    "From x@y  Thu Aug 22 2002\nFrom: a@b.c\nSubject: Hello\n  world\n\nLine one\r\n\r\n\r\n\r\nLine\ttwo  \n";
  assert.equal(emailText(raw), "Hello world\n\nLine one\n\nLine two");
});

test("encoded words, quoted-printable and base64 are decoded with their charsets", () => {
  const body = Buffer.from("caf\u00e9 \u20ac5", "utf8").toString("base64");
  const raw = [
    "Subject: =?iso-8859-1?Q?Caf=E9_au?= =?utf-8?B?bGFpdA==?=",
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=iso-8859-1",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "na=EFve soft=",
    "break",
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    body,
    "--b1",
    "Content-Type: image/gif",
    "Content-Transfer-Encoding: base64",
    "",
    "R0lGODlhAQABAAAAACw=",
    "--b1--",
  ].join("\n");
  assert.equal(emailText(raw), "Caf\u00e9 aulait\n\nna\u00efve softbreak\n\ncaf\u00e9 \u20ac5");
});

test("multipart/alternative gives the plain part, or the HTML part turned into text", () => {
  const alt = (parts: string) =>
    `Subject: S\nContent-Type: multipart/alternative; boundary=x\n\n${parts}--x--\n`;
  const html =
    "--x\nContent-Type: text/html\n\n<html><head><style>p{}</style></head><body><!-- c --><p>Buy&nbsp;now &amp; save</p>" +
    "<br>It&#39;s <b>free</b>&#x21;<script>x()</script></body></html>\n";
  const plain = "--x\nContent-Type: text/plain\n\nplain text\n";
  assert.equal(emailText(alt(plain + html)), "S\n\nplain text");
  assert.equal(emailText(alt(html)), "S\n\nBuy now & save\n\nIt's free!");
});

test("control characters and U+FFFD are removed", () => {
  assert.equal(emailText("Subject: a\u0000b\n\nc\u0007d\ufffde\u0085f"), "ab\n\ncdef");
});

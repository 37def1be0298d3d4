/**
 * The readable text of a raw e-mail (RFC 822 headers, MIME body): its subject, a blank line, then the text of
 * its body, the way a reader would see it. Used to turn the SpamAssassin corpus into a text dataset.
 *
 * - Header lines are unfolded; the Subject's MIME encoded words (`=?charset?B|Q?...?=`) are decoded.
 * - `multipart/alternative` gives its text/plain part (its text/html part when there is no plain one);
 *   every other multipart (mixed, related, signed, report, ...) gives the text of all its parts in order.
 * - text/html parts are turned into text (script, style and comments dropped, block tags to line breaks,
 *   other tags removed, character entities decoded), other text/* parts (and a multipart without a
 *   boundary) are kept as they are, `message/rfc822` parts are read as e-mails; attachments of any other type
 *   (images, applications, ...) are dropped.
 * - base64 and quoted-printable are decoded with the part's charset (TextDecoder; Latin-1 when the charset is
 *   unknown).
 * - Clean-up: U+FFFD (bytes the packaged corpus could not read as UTF-8), NUL and other control characters
 *   except line breaks are removed, tabs and no-break spaces become spaces, runs of spaces become one, lines
 *   are trimmed and more than one blank line in a row becomes one.
 *
 * Example: `emailText("Subject: Hi\n\nHello there")` is `"Hi\n\nHello there"`.
 */
export function emailText(raw: string): string {
  const { headers, body } = splitMessage(raw.replace(/\r\n?/g, "\n"));
  const subject = decodeEncodedWords(headers.get("subject") ?? "");
  return cleanText([subject, partText(headers, body)].filter((s) => s.trim() !== "").join("\n\n"));
}

/** Header fields (lower-case names, first occurrence wins, lines unfolded) and the body of a message or part. */
function splitMessage(text: string): { headers: Map<string, string>; body: string } {
  const end = text.indexOf("\n\n");
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? "" : text.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue; // the mbox "From " line, or junk
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** A Content-Type value: lower-case `type/subtype` and its parameters (lower-case names, unquoted values). */
function contentType(value: string | undefined): { type: string; params: Map<string, string> } {
  const [type = "", ...rest] = (value ?? "text/plain").split(";");
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf("=");
    if (eq < 0) continue;
    params.set(
      p.slice(0, eq).trim().toLowerCase(),
      p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/s, "$1"),
    );
  }
  return { type: type.trim().toLowerCase() || "text/plain", params };
}

/** The text of one MIME entity, given its headers and its still-encoded body. */
function partText(headers: Map<string, string>, body: string): string {
  const { type, params } = contentType(headers.get("content-type"));
  const boundary = params.get("boundary");
  if (type.startsWith("multipart/") && boundary) {
    const parts = splitMultipart(body, boundary).map((p) => splitMessage(p));
    if (type === "multipart/alternative") {
      const plain = parts.find((p) => contentType(p.headers.get("content-type")).type === "text/plain");
      const chosen = plain ?? parts[parts.length - 1];
      return chosen ? partText(chosen.headers, chosen.body) : "";
    }
    return parts
      .map((p) => partText(p.headers, p.body))
      .filter((t) => t.trim() !== "")
      .join("\n\n");
  }
  if (type === "message/rfc822") return emailText(body);
  if (!type.startsWith("text") && !type.startsWith("multipart/")) return ""; // an attachment
  const text = decodeTransfer(body, headers.get("content-transfer-encoding"), params.get("charset"));
  return type === "text/html" ? htmlToText(text) : text;
}

/** The parts of a multipart body: the text between `--boundary` lines, up to `--boundary--`. */
function splitMultipart(body: string, boundary: string): string[] {
  const parts: string[] = [];
  let current: string[] | undefined;
  for (const line of body.split("\n")) {
    const t = line.trimEnd();
    if (t === `--${boundary}--`) break;
    if (t === `--${boundary}`) {
      if (current) parts.push(current.join("\n"));
      current = [];
    } else current?.push(line);
  }
  if (current) parts.push(current.join("\n"));
  return parts;
}

/** A body decoded from its Content-Transfer-Encoding (base64, quoted-printable; anything else as is). */
function decodeTransfer(body: string, encoding: string | undefined, charset: string | undefined): string {
  const enc = (encoding ?? "").trim().toLowerCase();
  if (enc === "base64")
    return decodeBytes(Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ""), "base64"), charset);
  if (enc === "quoted-printable") return decodeQuotedPrintable(body.replace(/=[ \t]*\n/g, ""), charset);
  return body;
}

/** Replaces each run of `=XX` escapes by the characters its bytes encode in `charset`. */
function decodeQuotedPrintable(text: string, charset: string | undefined): string {
  return text.replace(/(?:=[0-9A-Fa-f]{2})+/g, (run) =>
    decodeBytes(Buffer.from(run.replace(/=/g, ""), "hex"), charset),
  );
}

/** Bytes as text in `charset` (UTF-8 when missing; Latin-1 when TextDecoder does not know it). */
function decodeBytes(bytes: Uint8Array, charset: string | undefined): string {
  try {
    return new TextDecoder(charset?.trim() || "utf-8").decode(bytes);
  } catch {
    return Buffer.from(bytes).toString("latin1");
  }
}

/** Decodes RFC 2047 encoded words; blanks between two adjacent encoded words are dropped. */
function decodeEncodedWords(value: string): string {
  const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  return value
    .replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/g, "$1")
    .replace(word, (_, charset: string, kind: string, data: string) => {
      const cs = charset.split("*")[0]; // RFC 2231 language suffix
      if (kind.toUpperCase() === "B") return decodeBytes(Buffer.from(data, "base64"), cs);
      return decodeQuotedPrintable(data.replace(/_/g, " "), cs);
    });
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  copy: "©",
  reg: "®",
  trade: "™",
  mdash: "—",
  ndash: "–",
  hellip: "…",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  bull: "•",
  middot: "·",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  deg: "°",
  laquo: "«",
  raquo: "»",
};

const BLOCK_TAGS = /<\s*\/?\s*(?:br|p|div|tr|li|ul|ol|table|h[1-6]|blockquote|pre|hr|title|center)\b[^>]*>/gi;

/** Readable text of an HTML document (a simple converter, enough for e-mail bodies). */
function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<\s*(script|style)\b[^>]*>[\s\S]*?<\s*\/\s*\1\s*>/gi, " ")
    .replace(BLOCK_TAGS, "\n")
    .replace(/<\s*t[dh]\b[^>]*>/gi, " ")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (whole, name: string) => {
      if (name[0] === "#") {
        const code =
          name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : " ";
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
}

/** Removes U+FFFD and control characters (keeping line breaks), and tidies spaces and blank lines. */
function cleanText(text: string): string {
  return (
    text
      .replace(/\r\n?/g, "\n")
      .replace(/[\t\u00a0]/g, " ")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/g, "")
      .replace(/ {2,}/g, " ")
      .replace(/ +\n/g, "\n")
      .replace(/\n +/g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
  );
}

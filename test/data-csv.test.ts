import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { inferColumnTypes } from "../src/data/column-types.js";
import { detectHeader, readTable, sniffDelimiter } from "../src/data/csv.js";
import { CsvParser } from "../src/data/csv-parser.js";
import { isDecimalCommaNumber, toDecimalPoint } from "../src/data/decimal-comma.js";
import { readJsonLines } from "../src/data/json-lines.js";
import { readTableFile } from "../src/data/read-table-file.js";
import { UserError } from "../src/errors.js";

const dataDir = fileURLToPath(new URL("../../test/data/", import.meta.url));
const csvDir = join(dataDir, "csv");
const tmp = mkdtempSync(join(tmpdir(), "nncoach-csv-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function userError(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${e}`);
    return e;
  }
  assert.fail("expected a UserError");
}

test("quoted fields: embedded delimiters, doubled quotes, line breaks, CRLF", async () => {
  const t = await readTable(join(csvDir, "quoted.csv"));
  assert.deepEqual(t.columns, ["id", "name", "comment", "score"]);
  assert.deepEqual(t.rows, [
    ["1", "Smith, John", 'said "hi"\r\nthen left', "3.5"],
    ["2", "Ann", "plain", "4"],
    ["3", "Bo", "", ""],
  ]);
  assert.deepEqual(t.lines, [2, 4, 5]);
});

test("iris: header detected, comma sniffed, 150 rows of 5 cells", async () => {
  const t = await readTable(join(dataDir, "iris.csv"));
  assert.deepEqual(t.columns, ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]);
  assert.equal(t.rows.length, 150);
  assert.deepEqual(t.rows[149], ["5.9", "3", "5.1", "1.8", "virginica"]);
  assert.equal(t.lines![0], 2);
});

test("house_votes84: quoted header and cells, unquoted empty cells are missing", async () => {
  const t = await readTable(join(dataDir, "house_votes84.csv"));
  assert.equal(t.columns[0], "Class");
  assert.equal(t.columns.length, 17);
  assert.equal(t.rows.length, 435);
  assert.equal(t.rows[0]![11], "");
  assert.equal(t.rows[1]![16], "");
});

test("BOM and tab-delimited .tsv", async () => {
  const t = await readTable(join(csvDir, "bom.tsv"));
  assert.deepEqual(t.columns, ["x", "y"]);
  assert.deepEqual(t.rows, [
    ["1", "2"],
    ["3", "4"],
  ]);
});

test("semicolon (with decimal commas) and pipe delimiters are sniffed", async () => {
  const s = await readTable(join(csvDir, "semicolon.csv"));
  assert.deepEqual(s.columns, ["a", "b", "c"]);
  assert.deepEqual(s.rows[0], ["1.5", "2", "x"]);
  const p = await readTableFile(join(csvDir, "pipe.txt"));
  assert.deepEqual(p.columns, ["a", "b"]);
  assert.deepEqual(p.rows, [["1", "2"]]);
});

test("sniffDelimiter prefers the consistent candidate and ignores quoted ones", () => {
  assert.equal(sniffDelimiter('a,b\n"x;y;z",2\n"p;q",3\n'), ",");
  assert.equal(sniffDelimiter("a\tb\tc\n1\t2\t3\n"), "\t");
  assert.equal(sniffDelimiter("one\ntwo\n"), ",");
});

test("header detection: headerless numeric rows, repeated values, counting names", async () => {
  const t = await readTable(join(csvDir, "noheader.csv"));
  assert.deepEqual(t.columns, ["column_1", "column_2", "column_3"]);
  assert.equal(t.rows.length, 3);
  assert.ok(t.notes!.some((n) => n.includes("no header")));
  assert.equal(
    detectHeader([
      ["0", "1", "2"],
      ["5", "6", "7"],
    ]),
    true,
  );
  assert.equal(
    detectHeader([
      ["y", "n"],
      ["n", "y"],
      ["y", "n"],
    ]),
    false,
  );
  assert.equal(
    detectHeader([
      ["vote", "party"],
      ["n", "rep"],
      ["y", "dem"],
    ]),
    true,
  );
  const forced = await readTable(join(csvDir, "noheader.csv"), { header: true });
  assert.deepEqual(forced.columns, ["5.1", "3.5", "setosa"]);
});

test("duplicate and empty header names are made unique, with notes", async () => {
  const path = join(tmp, "dups.csv");
  writeFileSync(path, ",a,a,b\n0,1,2,x\n1,3,4,y\n");
  const t = await readTable(path);
  assert.deepEqual(t.columns, ["column_1", "a", "a_2", "b"]);
  assert.ok(t.notes!.some((n) => n.includes("renamed 'a_2'")));
});

test("ragged row names the file, the line and both cell counts", async () => {
  const e = await userError(readTable(join(csvDir, "ragged.csv")));
  assert.match(e.message, /ragged\.csv: line 3: expected 3 cells \(as on line 1\) but found 2/);
  assert.equal(e.stack?.includes("UserError"), true);
});

test("empty file, header-only file and unclosed quote are refused", async () => {
  assert.match(
    (await userError(readTable(join(csvDir, "empty.csv")))).message,
    /empty\.csv: the file is empty/,
  );
  const headerOnly = join(tmp, "header-only.csv");
  writeFileSync(headerOnly, "a,b,c\n");
  assert.match(
    (await userError(readTable(headerOnly, { header: true }))).message,
    /header line but no data rows/,
  );
  const e = await userError(readTable(join(csvDir, "unclosed.csv")));
  assert.match(e.message, /unclosed\.csv: line 2: a quoted field is never closed/);
});

test("non-UTF-8 bytes are refused naming the file and the line", async () => {
  const e = await userError(readTable(join(csvDir, "latin1.csv")));
  assert.match(e.message, /latin1\.csv: line 2: the file is not valid UTF-8 \(bytes 0xe9/);
});

test("non-UTF-8 byte far into a large file: line is counted across chunks", async () => {
  const path = join(tmp, "big-bad.csv");
  const good = Buffer.from("x,y\n" + "1,2\n".repeat(50000));
  writeFileSync(path, Buffer.concat([good, Buffer.from([0x41, 0xff, 0x0a])]));
  const e = await userError(readTable(path));
  assert.match(e.message, /line 50002: the file is not valid UTF-8 \(bytes 0xff/);
});

test("streaming: multi-byte characters and quoted line breaks across chunk boundaries", async () => {
  const path = join(tmp, "big.csv");
  const rows: string[] = ["name,note"];
  for (let i = 0; i < 30000; i++) rows.push(`"é${i}ü",${i % 7 === 0 ? `"a,b\r\nc""d"` : "€"}`);
  writeFileSync(path, rows.join("\r\n") + "\r\n");
  const t = await readTable(path);
  assert.equal(t.rows.length, 30000);
  for (let i = 0; i < 30000; i++) {
    assert.equal(t.rows[i]![0], `é${i}ü`);
    assert.equal(t.rows[i]![1], i % 7 === 0 ? 'a,b\r\nc"d' : "€");
  }
  // line numbers count the line break inside quotes
  assert.equal(t.lines![0], 2);
  assert.equal(t.lines![1], 4);
});

test("parser gives the same rows whatever the chunk boundaries (one character at a time)", () => {
  const text = 'a,b,c\r\n"x ""q"" y","1,2",\r\n"multi\nline",,"end"\r"",z,""""\n\n last,row,here';
  const whole = new CsvParser(",", "w.csv");
  whole.push(text);
  whole.end();
  const bytes = new CsvParser(",", "c.csv");
  for (const ch of text) bytes.push(ch);
  bytes.end();
  assert.deepEqual(bytes.rows, whole.rows);
  assert.deepEqual(bytes.lines, whole.lines);
  assert.deepEqual(whole.rows, [
    ["a", "b", "c"],
    ['x "q" y', "1,2", ""],
    ["multi\nline", "", "end"],
    ["", "z", '"'],
    [" last", "row", "here"],
  ]);
  assert.deepEqual(whole.lines, [1, 2, 3, 5, 7]);
});

test("missing file is a UserError naming it", async () => {
  const e = await userError(readTableFile(join(tmp, "nope.csv")));
  assert.match(e.message, /nope\.csv': no such file/);
});

test("JSON Lines: union of keys, nulls missing, values as text; bad line named", async () => {
  const t = await readJsonLines(join(csvDir, "rows.jsonl"));
  assert.deepEqual(t.columns, ["a", "b", "c"]);
  assert.deepEqual(t.rows, [
    ["1", "x", ""],
    ["2", "", "true"],
    ["", "[1,2]", ""],
  ]);
  assert.deepEqual(t.lines, [1, 2, 4]);
  const e = await userError(readTableFile(join(csvDir, "bad.jsonl")));
  assert.match(e.message, /bad\.jsonl: line 2: not valid JSON/);
});

test("readTableFile sniffs JSON arrays and JSON Lines without a telling extension", async () => {
  const arr = join(tmp, "rows.json");
  writeFileSync(arr, '[{"a": 1}, {"a": 2, "b": "z"}]');
  assert.deepEqual((await readTableFile(arr)).rows, [
    ["1", ""],
    ["2", "z"],
  ]);
  const jl = join(tmp, "rows.data");
  writeFileSync(jl, '{"k": "v"}\n');
  assert.deepEqual((await readTableFile(jl)).columns, ["k"]);
});

test("column type inference", async () => {
  const path = join(tmp, "kinds.csv");
  const lines = ["idx,id,num,cat,flag,when,text,const,empty,mostly"];
  for (let i = 0; i < 40; i++) {
    lines.push(
      [
        i,
        `u-${(i * 7919).toString(16)}`,
        i % 5 === 0 ? "" : (i * 1.5).toFixed(1),
        ["red", "green", "blue"][i % 3],
        i % 2 ? "Yes" : "no",
        `2023-0${1 + (i % 9)}-1${i % 10}`,
        `the quick brown fox number ${i}`,
        "same",
        "",
        i === 17 ? "abc" : String(i % 9),
      ].join(","),
    );
  }
  writeFileSync(path, lines.join("\n"));
  const t = await readTable(path);
  const kinds = Object.fromEntries(inferColumnTypes(t).map((p) => [p.name, p.kind]));
  assert.deepEqual(kinds, {
    idx: "identifier",
    id: "identifier",
    num: "numeric",
    cat: "categorical",
    flag: "boolean",
    when: "datetime",
    text: "text",
    const: "constant",
    empty: "empty",
    mostly: "numeric",
  });
  const profiles = inferColumnTypes(t);
  assert.equal(profiles[2]!.missing, 8);
  assert.deepEqual(profiles[4]!.boolean, { trueValue: "yes", falseValue: "no" });
  assert.deepEqual(profiles[9]!.invalid, { count: 1, first: { row: 17, line: 19, value: "abc" } });
  const votes = await readTable(join(dataDir, "house_votes84.csv"));
  const vp = inferColumnTypes(votes);
  assert.equal(vp[0]!.kind, "categorical");
  assert.ok(vp.slice(1).every((p) => p.kind === "boolean"));
  assert.equal(vp[1]!.missing, 12);
});

/** wine.csv as a European spreadsheet writes it: `;` between cells, decimal commas, CRLF line ends. */
async function europeanWine(): Promise<{ path: string; original: Awaited<ReturnType<typeof readTable>> }> {
  const original = await readTable(join(dataDir, "audit", "wine.csv"));
  const text = [original.columns, ...original.rows.map((r) => r.map((c) => c.replace(".", ",")))]
    .map((r) => r.join(";"))
    .join("\r\n");
  const path = join(tmp, "wine-european.csv");
  writeFileSync(path, `${text}\r\n`);
  return { path, original };
}

test("decimal commas in a semicolon file read as the same numbers as the original (wine.csv)", async () => {
  const { path, original } = await europeanWine();
  const t = await readTable(path);
  assert.deepEqual(t.columns, original.columns);
  assert.equal(t.rows.length, 178);
  assert.deepEqual(t.rows, original.rows);
  assert.match(
    t.notes!.join("\n"),
    /decimal commas read as decimal points in 11 columns alcohol, malic_acid/,
  );
  const kinds = inferColumnTypes(t).map((p) => p.kind);
  assert.deepEqual(kinds, [...Array(13).fill("numeric"), "categorical"]);
  // the first row read "14,23;1,71;...": 14.23, 1.71 as numbers, not categories (the integer columns
  // magnesium and proline need no rewriting)
  assert.deepEqual(t.rows[0]!.slice(0, 3), ["14.23", "1.71", "2.43"]);
  // turned off, the cells stay as written
  const raw = await readTable(path, { decimalComma: false });
  assert.equal(raw.rows[0]![0], "14,23");
});

test("decimal commas: the example from the issue, headerless files, and columns left alone", async () => {
  const issue = join(tmp, "issue.csv");
  writeFileSync(issue, "x;y;label\n0,715;0,668;b\n1,2;3;a\n;-0,5;b\n");
  const t = await readTable(issue);
  assert.deepEqual(t.rows, [
    ["0.715", "0.668", "b"],
    ["1.2", "3", "a"],
    ["", "-0.5", "b"],
  ]);
  // no header: the first row is data and is read too, so the header vote sees numbers
  const headerless = join(tmp, "headerless.tsv");
  writeFileSync(headerless, "0,5\t1,25\tx\n2,5\t3\ty\n4\t0,75\tx\n");
  const h = await readTable(headerless);
  assert.deepEqual(h.columns, ["column_1", "column_2", "column_3"]);
  assert.deepEqual(h.rows[0], ["0.5", "1.25", "x"]);
  // a column with one cell that is not such a number, or with dot decimals, is left as written
  const mixed = join(tmp, "mixed.csv");
  writeFileSync(mixed, "a;b;c\n0,5;1.5;1,5\n1,5;2.25;abc\n2;3.5;2,5\n");
  const m = await readTable(mixed);
  assert.deepEqual(m.rows[0], ["0.5", "1.5", "1,5"]);
  // with a comma delimiter nothing is rewritten ("1,5" in quotes stays text)
  const quoted = join(tmp, "quoted-comma.csv");
  writeFileSync(quoted, 'a,b\n"1,5",x\n"2,5",y\n');
  assert.equal((await readTable(quoted)).rows[0]![0], "1,5");
});

test("isDecimalCommaNumber and toDecimalPoint", () => {
  for (const s of ["0,715", "-1,5", "+2,5e-3", "12", "1.234,5", "1.234.567", " 3,0 "])
    assert.ok(isDecimalCommaNumber(s), s);
  for (const s of ["1.5", "1,2,3", ",5", "1.23,4", "abc", "", "1 234,5"])
    assert.ok(!isDecimalCommaNumber(s), s);
  assert.equal(toDecimalPoint("0,715"), "0.715");
  assert.equal(toDecimalPoint("1.234,5"), "1234.5");
  assert.equal(toDecimalPoint("-2,5e3"), "-2.5e3");
});

/**
 * Columnar storage for big tables: a reader appends rows of cell text and each column keeps them in the
 * cheapest form that gives the same text back. A column of plain numbers keeps a Float64Array (8 bytes a
 * cell instead of a string and an array slot, ~40 bytes); its few cells whose text is not the number's
 * canonical form ("01234", "1.50", "NA") are kept as text beside it. Any other column is dictionary-encoded:
 * a code per row (Uint32Array) into its distinct values, which is small for categories.
 *
 * A Table backed by a ColumnStore still offers `rows` (see rowsView), built one row at a time on access, so
 * that code written for row arrays keeps working; the data path reads cells with cellText or a column's
 * numbers with numericColumn instead, without making a string per cell.
 */

/** A column of numbers, with the text of its cells that are not a number's canonical text. */
interface NumberColumn {
  kind: "number";
  values: Float64Array;
  /** Row -> cell text, for cells that are not plain numbers ("" is stored as NaN without an entry). */
  text: Map<number, string>;
  /** Per row, 0 or 1 + the decimals the text has (see numberForm); made when first needed. */
  decimals?: Uint8Array;
}

/** A dictionary-encoded column: row -> code -> distinct cell text. */
interface TextColumn {
  kind: "text";
  codes: Uint32Array;
  dictionary: string[];
  index: Map<string, number>;
}

type Column = NumberColumn | TextColumn;

/**
 * How `cell` can be stored as a number: -1 when it cannot (then its text is kept); 0 when its text is
 * String(value); d > 0 when it is value.toFixed(d - 1) (a fixed number of decimals with trailing zeros,
 * "0.500"). Only plain decimals qualify: an optional minus, no leading zeros, at most 15 significant digits
 * (so that the double gives the same digits back; 16-17 when String gives the same text back) and no value
 * below 1e-6 (String would use an exponent). The value is left in `numberValue`.
 */
export function numberForm(cell: string): number {
  const n = cell.length;
  if (n === 0 || n > 24) return -1;
  for (let i = 0; i < n; i++) {
    const c = cell.charCodeAt(i);
    if (c > 127) return -1; // digits, '-' and '.' only
    scratch[i] = c;
  }
  return numberFormBytes(scratch, 0, n, cell);
}

const scratch = Buffer.alloc(24);

/**
 * numberForm of the cell whose UTF-8 bytes are bytes[start..end) (a reader of bytes, see csv-bytes.ts, calls
 * it without making a string). `text` is the cell as a string when the caller has it.
 */
export function numberFormBytes(bytes: Uint8Array, start: number, end: number, text?: string): number {
  const n = end - start;
  if (n === 0 || n > 24) return -1;
  let i = bytes[start] === 45 ? start + 1 : start;
  const intStart = i;
  // the significant digits as an integer m (exact below 2^53) and the value m / 10^k: one correctly rounded
  // division of two exact doubles, the same double Number(cell) gives (digits beyond 15: Number(cell))
  let m = 0;
  while (i < end) {
    const c = bytes[i]!;
    if (c < 48 || c > 57) break;
    m = m * 10 + (c - 48);
    i++;
  }
  const negative = intStart !== start;
  const intDigits = i - intStart;
  if (intDigits === 0 || (intDigits > 1 && bytes[intStart] === 48)) return -1;
  const intZero = intDigits === 1 && bytes[intStart] === 48;
  let significant = intZero ? 0 : intDigits;
  if (i === end) {
    if (intZero && negative) return -1; // "-0"
    if (significant <= 15) {
      numberValue = negative ? -m : m;
      return 0;
    }
    const cell = text ?? asciiText(bytes, start, end);
    numberValue = Number(cell);
    return significant <= 17 && String(numberValue) === cell ? 0 : -1;
  }
  if (bytes[i] !== 46) return -1;
  i++;
  const fracStart = i;
  if (end - intStart <= 16) {
    // at most 15 digits in all (the common case): m with the fraction's digits, trailing zeros included, is
    // exact, and m / 10^digits is the same double as below
    let firstNonZero = -1;
    let lastNonZero = -1;
    while (i < end) {
      const c = bytes[i]!;
      if (c < 48 || c > 57) return -1;
      m = m * 10 + (c - 48);
      if (c !== 48) {
        lastNonZero = i;
        if (firstNonZero < 0) firstNonZero = i;
      }
      i++;
    }
    const fracDigits = end - fracStart;
    if (fracDigits === 0) return -1; // "1."
    if (lastNonZero < 0) {
      // "12.000", "0.0": an integer with decimals
      if (intZero && negative) return -1;
      numberValue = negative ? -(m / POW10[fracDigits]!) : m / POW10[fracDigits]!;
      return fracDigits + 1;
    }
    if (intZero && firstNonZero - fracStart >= 6) return -1;
    const q = m / POW10[fracDigits]!;
    numberValue = negative ? -q : q;
    return lastNonZero === end - 1 ? 0 : fracDigits + 1;
  }
  let leadingZeros = 0;
  let lastNonZero = -1;
  let pendingZeros = 0;
  while (i < end) {
    const c = bytes[i]!;
    if (c < 48 || c > 57) return -1;
    if (c !== 48) {
      lastNonZero = i;
      m = m * (POW10[pendingZeros + 1] ?? 10 ** (pendingZeros + 1)) + (c - 48);
      pendingZeros = 0;
    } else {
      pendingZeros++;
      if (lastNonZero < 0 && intZero) leadingZeros++;
    }
    i++;
  }
  const fracDigits = end - fracStart;
  if (fracDigits === 0) return -1; // "1."
  if (lastNonZero < 0) {
    // "12.000", "0.0": an integer with decimals
    if (intZero && negative) return -1;
    numberValue = negative ? -m : m;
    return significant <= 15 ? fracDigits + 1 : -1;
  }
  if (intZero && leadingZeros >= 6) return -1;
  significant += lastNonZero - fracStart + 1 - (intZero ? leadingZeros : 0);
  if (significant > 15) {
    // 16-17 digits, as shortest round-trip printing (Python's repr, JavaScript's String) writes them
    const cell = text ?? asciiText(bytes, start, end);
    numberValue = Number(cell);
    return lastNonZero === end - 1 && significant <= 17 && String(numberValue) === cell ? 0 : -1;
  }
  const q = m / POW10[lastNonZero - fracStart + 1]!;
  numberValue = negative ? -q : q;
  return lastNonZero === end - 1 ? 0 : fracDigits + 1;
}

function asciiText(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** The value of the cell numberForm last accepted. */
export let numberValue = 0;

const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

function grow<T extends Float64Array | Uint32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let size = Math.max(1024, a.length);
  while (size < need) size *= 2;
  const b = new (a.constructor as { new (n: number): T })(size);
  b.set(a);
  return b;
}

/** Builds a ColumnStore row by row (see the file comment); `finish` trims the arrays to size. */
export class ColumnStore {
  private cols: Column[];
  private lineOf: Uint32Array = new Uint32Array(1024);
  private n = 0;

  constructor(public width: number) {
    this.cols = [];
    for (let c = 0; c < width; c++)
      this.cols.push({ kind: "number", values: new Float64Array(1024), text: new Map() });
  }

  /** Number of rows. */
  get length(): number {
    return this.n;
  }

  /** 1-based source line of each row (0 when unknown). */
  get lines(): Uint32Array {
    return this.lineOf.subarray(0, this.n);
  }

  /** Adds a column at the end, missing ("") in the rows already stored. */
  addColumn(): void {
    const values = new Float64Array(Math.max(1024, this.lineOf.length));
    values.fill(Number.NaN);
    this.cols.push({ kind: "number", values, text: new Map() });
    this.width++;
  }

  /**
   * Appends a row (exactly `width` cells) that starts on `line` of the file. A cell may be given as a number
   * (a reader of typed data): its text is String(value), NaN is missing.
   */
  push(row: readonly (string | number)[], line = 0): void {
    const r = this.n;
    if (r >= this.lineOf.length) this.lineOf = grow(this.lineOf, r + 1);
    this.lineOf[r] = line;
    for (let c = 0; c < this.width; c++) this.set(c, r, row[c]!);
    this.n = r + 1;
  }

  /**
   * Appends `n` rows given column by column (a reader of columnar data, e.g. Parquet): `columns[c][i]` is
   * row i's cell of column c, as push takes it (a number: its text is String(value), NaN is missing). A
   * Float64Array column goes straight into a number column's values. Rows get line 0 (no source line).
   */
  pushColumns(columns: readonly ArrayLike<string | number>[], n: number): void {
    const r0 = this.n;
    const end = r0 + n;
    if (end > this.lineOf.length) this.lineOf = grow(this.lineOf, end);
    this.lineOf.fill(0, r0, end);
    for (let c = 0; c < this.width; c++) {
      const given = columns[c]!;
      const col = this.cols[c]!;
      if (given instanceof Float64Array && col.kind === "number" && !col.decimals) {
        if (end > col.values.length) col.values = grow(col.values, end);
        const values = col.values;
        for (let i = 0; i < n; i++) {
          const v = given[i]!;
          // NaN is missing; Infinity keeps its text, as push does
          if (v - v === 0 || Number.isNaN(v)) values[r0 + i] = v;
          else this.set(c, r0 + i, v);
        }
      } else for (let i = 0; i < n; i++) this.set(c, r0 + i, given[i]!);
    }
    this.n = end;
  }

  /**
   * Makes room for `rows` rows in all (arrays of exactly that size when they must grow), so that appending
   * them does not grow the arrays step by step.
   */
  reserve(rows: number): void {
    const exact = <T extends Float64Array | Uint32Array>(a: T): T =>
      a.length >= rows ? a : resized(a, a.length, rows);
    this.lineOf = exact(this.lineOf);
    for (const col of this.cols) {
      if (col.kind === "number") col.values = exact(col.values);
      else col.codes = exact(col.codes);
    }
  }

  private set(c: number, r: number, given: string | number): void {
    const col = this.cols[c]!;
    let cell: string;
    if (typeof given === "number") {
      if (col.kind === "number" && Number.isFinite(given)) {
        if (r >= col.values.length) col.values = grow(col.values, r + 1);
        col.values[r] = given;
        if (col.decimals && r < col.decimals.length) col.decimals[r] = 0;
        return;
      }
      cell = Number.isNaN(given) ? "" : String(given);
    } else cell = given;
    if (col.kind === "number") {
      if (r >= col.values.length) col.values = grow(col.values, r + 1);
      if (cell.length === 0) {
        col.values[r] = Number.NaN;
        return;
      }
      const form = numberForm(cell);
      if (form >= 0) {
        putNumber(col, r, numberValue, form);
        return;
      }
      col.values[r] = Number.NaN;
      col.text.set(r, cell);
      // mostly text: keep it as a dictionary column instead
      if (col.text.size > 64 && col.text.size * 4 > r) this.cols[c] = toText(col, r + 1);
      return;
    }
    if (r >= col.codes.length) col.codes = grow(col.codes, r + 1);
    let code = col.index.get(cell);
    if (code === undefined) {
      code = col.dictionary.length;
      col.dictionary.push(cell);
      col.index.set(cell, code);
    }
    col.codes[r] = code;
  }

  /**
   * For a reader that parses cells itself (see csv-bytes.ts): appends a row starting on `line` and returns
   * its index; its cells must then be given, each once, with setCell or setNumber before the next row.
   */
  addRow(line: number): number {
    const r = this.n;
    if (r >= this.lineOf.length) this.lineOf = grow(this.lineOf, r + 1);
    this.lineOf[r] = line;
    this.n = r + 1;
    return r;
  }

  /** Sets row r's cell of column c from its text, as push does (see addRow). */
  setCell(c: number, r: number, cell: string): void {
    this.set(c, r, cell);
  }

  /**
   * Sets row r's cell of column c, a number column, to `value` read from text of numberForm `form` (>= 0),
   * as setCell would from that text (see addRow).
   */
  setNumber(c: number, r: number, value: number, form: number): void {
    const col = this.cols[c] as NumberColumn;
    if (r >= col.values.length) col.values = grow(col.values, r + 1);
    putNumber(col, r, value, form);
  }

  /** Whether column c keeps numbers (else it is dictionary-encoded). */
  isNumberColumn(c: number): boolean {
    return this.cols[c]!.kind === "number";
  }

  /**
   * The store as plain data for postMessage, and the buffers to transfer (see fromTransfer). The store must
   * not be used afterwards.
   */
  toTransfer(): { data: StoreTransfer; transfer: ArrayBuffer[] } {
    const transfer: ArrayBuffer[] = [this.lineOf.buffer as ArrayBuffer];
    const cols = this.cols.map((col): TransferColumn => {
      if (col.kind === "text") {
        transfer.push(col.codes.buffer as ArrayBuffer);
        return { kind: "text", codes: col.codes, dictionary: col.dictionary };
      }
      transfer.push(col.values.buffer as ArrayBuffer);
      if (col.decimals) transfer.push(col.decimals.buffer as ArrayBuffer);
      return {
        kind: "number",
        values: col.values,
        decimals: col.decimals,
        textRows: Array.from(col.text.keys()),
        textCells: Array.from(col.text.values()),
      };
    });
    return { data: { n: this.n, lines: this.lineOf, cols }, transfer };
  }

  /** The store that toTransfer gave as data (in another thread). */
  static fromTransfer(data: StoreTransfer): ColumnStore {
    const s = new ColumnStore(0);
    s.width = data.cols.length;
    s.n = data.n;
    s.lineOf = data.lines;
    s.cols = data.cols.map((col): Column => {
      if (col.kind === "text") {
        const index = new Map<string, number>(col.dictionary.map((cell, k) => [cell, k]));
        return { kind: "text", codes: col.codes, dictionary: col.dictionary, index };
      }
      const text = new Map<number, string>();
      for (let k = 0; k < col.textRows.length; k++) text.set(col.textRows[k]!, col.textCells[k]!);
      const out: NumberColumn = { kind: "number", values: col.values, text };
      if (col.decimals) out.decimals = col.decimals;
      return out;
    });
    return s;
  }

  /**
   * Appends the rows of `parts` (stores of the same width, e.g. of byte ranges of one file read on other
   * threads), in order, adding `lineOffsets[k]` to the lines of part k. The result is the store that pushing
   * every row into this one would have built (the same column kinds, dictionaries in the same order). Each
   * column is reallocated once, to the exact total; the parts are emptied as their columns are copied.
   */
  appendStores(parts: ColumnStore[], lineOffsets: readonly number[]): void {
    const n0 = this.n;
    let total = n0;
    for (const p of parts) total += p.n;
    const lines = new Uint32Array(total);
    lines.set(this.lineOf.subarray(0, n0));
    let r = n0;
    parts.forEach((p, k) => {
      const off = lineOffsets[k] ?? 0;
      for (let i = 0; i < p.n; i++) lines[r + i] = p.lineOf[i]! + off;
      r += p.n;
    });
    this.lineOf = lines;
    for (let c = 0; c < this.width; c++) {
      const dst = this.cols[c]!;
      if (dst.kind === "number") {
        dst.values = resized(dst.values, n0, total);
        if (dst.decimals) dst.decimals = resized(dst.decimals, n0, total);
      } else dst.codes = resized(dst.codes, n0, total);
      let r0 = n0;
      for (const p of parts) {
        this.appendColumn(c, p.cols[c]!, r0, p.n);
        p.cols[c] = { kind: "number", values: new Float64Array(0), text: new Map() };
        r0 += p.n;
      }
    }
    for (const p of parts) p.n = 0;
    this.n = total;
  }

  /** Rows r0..r0+m-1 of column c from a part's column `src` (see appendStores). */
  private appendColumn(c: number, src: Column, r0: number, m: number): void {
    const dst = this.cols[c]!;
    if (dst.kind === "number" && src.kind === "number") {
      dst.values.set(src.values.subarray(0, m), r0);
      if (src.decimals) {
        if (!dst.decimals) dst.decimals = new Uint8Array(dst.values.length);
        dst.decimals.set(src.decimals.subarray(0, m), r0);
      } else if (dst.decimals) dst.decimals.fill(0, r0, r0 + m);
      for (const [i, cell] of src.text) {
        const r = r0 + i;
        dst.text.set(r, cell);
        if (dst.text.size > 64 && dst.text.size * 4 > r) {
          // where pushing the rows one by one turns the column into a dictionary
          this.cols[c] = toText(dst, r + 1);
          for (let k = i + 1; k < m; k++) this.set(c, r0 + k, numberText(src, k));
          return;
        }
      }
      return;
    }
    if (dst.kind === "text" && src.kind === "text") {
      const codeOf = new Int32Array(src.dictionary.length).fill(-1);
      if (r0 + m > dst.codes.length) dst.codes = grow(dst.codes, r0 + m);
      for (let i = 0; i < m; i++) {
        const k = src.codes[i]!;
        let code = codeOf[k]!;
        if (code < 0) {
          const cell = src.dictionary[k]!;
          code = dst.index.get(cell) ?? -1;
          if (code < 0) {
            code = dst.dictionary.length;
            dst.dictionary.push(cell);
            dst.index.set(cell, code);
          }
          codeOf[k] = code;
        }
        dst.codes[r0 + i] = code;
      }
      return;
    }
    // kinds differ: the cells one by one, as push would have set them
    for (let i = 0; i < m; i++) {
      const cell = src.kind === "text" ? src.dictionary[src.codes[i]!]! : numberText(src, i);
      const col = this.cols[c]!;
      if (col.kind === "text" && src.kind === "text") {
        this.appendColumn(c, { ...src, codes: src.codes.subarray(i) }, r0 + i, m - i);
        return;
      }
      this.set(c, r0 + i, cell);
    }
  }

  /** The text of row r's cell in column c ("" = missing, as in the file). */
  cell(r: number, c: number): string {
    const col = this.cols[c]!;
    if (col.kind === "text") return col.dictionary[col.codes[r]!]!;
    const v = col.values[r]!;
    if (!Number.isNaN(v)) {
      const d = col.decimals?.[r];
      return d ? v.toFixed(d - 1) : String(v);
    }
    return col.text.get(r) ?? "";
  }

  /**
   * Column c's numbers when it is a number column: `values[r]` (NaN where the cell is empty or not a
   * canonical number) and the text of those other cells. Undefined for a dictionary column.
   */
  numbers(c: number): { values: Float64Array; text: ReadonlyMap<number, string> } | undefined {
    const col = this.cols[c]!;
    return col.kind === "number" ? { values: col.values, text: col.text } : undefined;
  }

  /** The distinct cells of column c when it is a dictionary column, else undefined. */
  dictionary(c: number): readonly string[] | undefined {
    const col = this.cols[c]!;
    return col.kind === "text" ? col.dictionary : undefined;
  }

  /** The per-row codes into dictionary(c) when column c is a dictionary column, else undefined. */
  codes(c: number): Uint32Array | undefined {
    const col = this.cols[c]!;
    return col.kind === "text" ? col.codes : undefined;
  }

  /** Replaces the text of every cell of column c by `f(text)` (f("") must be ""). */
  rewrite(c: number, f: (cell: string) => string): void {
    const old = this.cols[c]!;
    const n = this.n;
    if (old.kind === "text") {
      const dictionary = old.dictionary.map(f);
      // rebuild as a fresh column so that cells that now read as numbers are stored as numbers
      const fresh: NumberColumn = { kind: "number", values: new Float64Array(n), text: new Map() };
      this.cols[c] = fresh;
      for (let r = 0; r < n; r++) this.set(c, r, dictionary[old.codes[r]!]!);
      return;
    }
    const fresh: NumberColumn = { kind: "number", values: new Float64Array(n), text: new Map() };
    this.cols[c] = fresh;
    for (let r = 0; r < n; r++) {
      this.set(c, r, f(numberText(old, r)));
    }
  }

  /** Trims the arrays to the row count (call once the last row is in). */
  finish(): void {
    const n = this.n;
    // arrays already of the right size (reserve) are kept: no copy
    const trim = <T extends Float64Array | Uint32Array | Uint8Array>(a: T): T =>
      a.length === n ? a : (a.slice(0, n) as T);
    this.lineOf = trim(this.lineOf);
    for (const col of this.cols) {
      if (col.kind === "number") {
        col.values = trim(col.values);
        if (col.decimals) col.decimals = trim(col.decimals);
      } else col.codes = trim(col.codes);
    }
  }

  /** Bytes held by the typed arrays (text and dictionaries not counted), for benchmarks. */
  typedBytes(): number {
    let b = this.lineOf.byteLength;
    for (const col of this.cols) b += col.kind === "number" ? col.values.byteLength : col.codes.byteLength;
    return b;
  }
}

/** A column as toTransfer sends it. */
type TransferColumn =
  | { kind: "text"; codes: Uint32Array; dictionary: string[] }
  | { kind: "number"; values: Float64Array; decimals?: Uint8Array; textRows: number[]; textCells: string[] };

/** A ColumnStore as plain data (see ColumnStore.toTransfer). */
export interface StoreTransfer {
  n: number;
  lines: Uint32Array;
  cols: TransferColumn[];
}

/** values[r] = value read from text of numberForm `form` (see set). */
function putNumber(col: NumberColumn, r: number, value: number, form: number): void {
  col.values[r] = value;
  if (form > 0) {
    if (!col.decimals) col.decimals = new Uint8Array(col.values.length);
    else if (col.decimals.length < col.values.length) {
      const d = new Uint8Array(col.values.length);
      d.set(col.decimals);
      col.decimals = d;
    }
    col.decimals[r] = form;
  } else if (col.decimals && r < col.decimals.length) col.decimals[r] = 0;
}

/** A copy of a[0..keep) in an array of `size` elements. */
function resized<T extends Float64Array | Uint32Array | Uint8Array>(a: T, keep: number, size: number): T {
  const b = new (a.constructor as { new (n: number): T })(size);
  b.set(a.subarray(0, keep));
  return b;
}

function numberText(col: NumberColumn, r: number): string {
  const v = col.values[r]!;
  if (!Number.isNaN(v)) {
    const d = col.decimals?.[r];
    return d ? v.toFixed(d - 1) : String(v);
  }
  return col.text.get(r) ?? "";
}

function toText(col: NumberColumn, n: number): TextColumn {
  const out: TextColumn = {
    kind: "text",
    codes: new Uint32Array(Math.max(1024, col.values.length)),
    dictionary: [],
    index: new Map(),
  };
  for (let r = 0; r < n; r++) {
    const cell = numberText(col, r);
    let code = out.index.get(cell);
    if (code === undefined) {
      code = out.dictionary.length;
      out.dictionary.push(cell);
      out.index.set(cell, code);
    }
    out.codes[r] = code;
  }
  return out;
}

/**
 * A read-only array-like view of the store's rows for code that indexes `table.rows[r][c]`: an access
 * builds that row's cells (only the last row built is kept, so a caller must not change it). Writes to the
 * view are ignored.
 */
export function rowsView(store: ColumnStore): string[][] {
  // the last row built is kept: `rows[r][a]`, `rows[r][b]`.. in a loop builds row r once
  let lastRow = -1;
  let last: string[] = [];
  const rowAt = (r: number): string[] => {
    if (r === lastRow) return last;
    const out = new Array<string>(store.width);
    for (let c = 0; c < store.width; c++) out[c] = store.cell(r, c);
    lastRow = r;
    last = out;
    return out;
  };
  const index = (p: string | symbol): number => {
    if (typeof p !== "string") return -1;
    const c = p.charCodeAt(0);
    if (!(c >= 48 && c <= 57)) return -1;
    const i = Number(p);
    return Number.isInteger(i) && i < store.length ? i : -1;
  };
  return new Proxy([] as string[][], {
    get(target, p, receiver) {
      if (p === "length") return store.length;
      const i = index(p);
      if (i >= 0) return rowAt(i);
      return Reflect.get(target, p, receiver);
    },
    has(target, p) {
      return index(p) >= 0 || Reflect.has(target, p);
    },
    set() {
      return true;
    },
  });
}

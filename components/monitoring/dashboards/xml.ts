// A minimal XML reader, so the tests can prove the dashboard pictures well-formed and read them back
// without a dependency: one root element, tags nested and closed, attributes quoted and unique, only
// the five predefined entities and character references. No DTDs, CDATA or processing instructions
// beyond an XML declaration: the pictures use none.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: (XmlElement | string)[];
}

const NAME = "[A-Za-z_:][-A-Za-z0-9_.:]*";
const START_TAG = new RegExp(`<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^<"]*"|'[^<']*'))*)\\s*(/?)>`, "y");
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, "g");
const END_TAG = new RegExp(`</(${NAME})\\s*>`, "y");
const COMMENT = /<!--(?:(?!--)[\s\S])*-->/y;
const DECLARATION = /<\?xml\s[^?]*\?>/y;
const TEXT = /[^<]+/y;
const SPACE = /\s+/y;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const REFERENCE = /&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/g;

/** `text` with its entity and character references replaced; throws on a bare `&` or an unknown entity. */
function decode(text: string, fail: (why: string) => never): string {
  const bare = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/.exec(text);
  if (bare) fail(`"&" that starts no reference: ${JSON.stringify(text.slice(bare.index, bare.index + 12))}`);
  return text.replace(REFERENCE, (_, name: string | undefined, dec: string | undefined, hex: string | undefined) =>
    name !== undefined ? ENTITIES[name] : String.fromCodePoint(dec !== undefined ? Number(dec) : parseInt(hex!, 16)));
}

/** The root element of `text`; throws, naming the line, when `text` is not well-formed XML. */
export function parseXml(text: string): XmlElement {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`not well-formed XML at line ${text.slice(0, at).split("\n").length}: ${why}`);
  };
  const take = (re: RegExp): RegExpExecArray | null => {
    re.lastIndex = at;
    const m = re.exec(text);
    if (m) at = re.lastIndex;
    return m;
  };
  const skipMisc = () => {
    while (take(SPACE) ?? take(COMMENT)) { /* whitespace and comments may surround the root */ }
  };

  take(DECLARATION);
  skipMisc();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (at < text.length) {
    const open = take(START_TAG);
    if (open) {
      if (root !== undefined && stack.length === 0) fail(`a second root element <${open[1]}>`);
      const attributes: Record<string, string> = {};
      for (const [, name, double, single] of open[2].matchAll(ATTRIBUTE)) {
        if (name in attributes) fail(`<${open[1]}> repeats the attribute ${name}`);
        attributes[name] = decode(double ?? single, fail);
      }
      const element: XmlElement = { name: open[1], attributes, children: [] };
      if (stack.length > 0) stack[stack.length - 1].children.push(element);
      else root = element;
      if (open[3] !== "/") stack.push(element);
      if (stack.length === 0) skipMisc();
      continue;
    }
    const close = take(END_TAG);
    if (close) {
      const element = stack.pop();
      if (element === undefined) fail(`</${close[1]}> closes nothing`);
      else if (element.name !== close[1]) fail(`</${close[1]}> closes <${element.name}>`);
      if (stack.length === 0) skipMisc();
      continue;
    }
    if (take(COMMENT)) continue;
    const chars = take(TEXT);
    if (chars && stack.length > 0) {
      if (chars[0].includes("]]>")) fail('"]]>" in text');
      stack[stack.length - 1].children.push(decode(chars[0], fail));
      continue;
    }
    if (chars) at -= chars[0].length;
    const here = JSON.stringify(text.slice(at, at + 20));
    fail(text[at] === "<" ? `not a tag: ${here}` : `content outside the root element: ${here}`);
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1].name}> is never closed`);
  if (root === undefined) fail("no root element");
  return root!;
}

/** `element` and every element inside it, in document order. */
export function descendants(element: XmlElement): XmlElement[] {
  return [element, ...element.children.flatMap((c) => (typeof c === "string" ? [] : descendants(c)))];
}

/** The text inside `element`, its descendants' included. */
export function textOf(element: XmlElement): string {
  return element.children.map((c) => (typeof c === "string" ? c : textOf(c))).join("");
}

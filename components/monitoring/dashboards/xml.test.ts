import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { descendants, parseXml, textOf } from "./xml";

describe("parseXml", () => {
  it("reads elements, attributes, text and references, around a declaration and comments", () => {
    const root = parseXml(`<?xml version="1.0"?>\n<!-- a -->\n<svg a="1" b='x &amp; &#x41;'><g><title>&lt;T&gt; &quot;&apos;&#66;</title><rect/></g>tail</svg>\n`);
    assert.equal(root.name, "svg");
    assert.deepEqual(root.attributes, { a: "1", b: "x & A" });
    assert.deepEqual(descendants(root).map((e) => e.name), ["svg", "g", "title", "rect"]);
    assert.equal(textOf(root), `<T> "'Btail`);
  });

  it("refuses what is not well-formed, naming the line", () => {
    const bad: [string, RegExp][] = [
      ["<a><b></a>", /<\/a> closes <b>/],
      ["<a>", /<a> is never closed/],
      ["<a/><b/>", /a second root element <b>/],
      ["<a/>x", /content outside the root element: "x"/],
      ["x<a/>", /content outside the root element/],
      ["<a>Q & A</a>", /"&" that starts no reference/],
      ["<a>&nbsp;</a>", /"&" that starts no reference/],
      ['<a b="1" b="2"/>', /repeats the attribute b/],
      ["<a b=1/>", /not a tag/],
      ['<a b="<"/>', /not a tag/],
      ["<a>]]></a>", /"]]>" in text/],
      ["</a>", /content outside the root element|closes nothing/],
      ["", /no root element/],
      ["<a>\n\n<b></a>", /line 3: <\/a> closes <b>/],
    ];
    for (const [text, message] of bad) assert.throws(() => parseXml(text), message, JSON.stringify(text));
  });
});

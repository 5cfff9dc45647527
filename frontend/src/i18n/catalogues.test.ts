import { describe, expect, it } from "vitest";
import { merge } from "./catalogues";

describe("feature catalogues", () => {
  it("add their own keys, to new groups or shared ones, and may not redefine one", () => {
    const base = { app: { a: "A" }, errors: { x: "X" } };
    expect(merge(base, [["f.ts", { share: { b: "B" }, errors: { y: "Y" } }]]))
      .toEqual({ app: { a: "A" }, errors: { x: "X", y: "Y" }, share: { b: "B" } });
    expect(base.errors).toEqual({ x: "X" });
    expect(() => merge(base, [["f.ts", { errors: { x: "Z" } }]])).toThrow(/f.ts defines "errors.x" again/);
    expect(() => merge(base, [["f.ts", { app: "A" }]])).toThrow(/defines "app" again/);
  });
});

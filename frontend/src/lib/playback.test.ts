import { describe, expect, it } from "vitest";
import { playbackProblem } from "./playback";

const answering = (status: number) => (async () => new Response(status === 206 ? "R" : "", { status })) as typeof fetch;

describe("why a recording does not play", () => {
  it("says the recording is gone when storage no longer has it", async () => {
    expect(await playbackProblem("http://s3/media/x", 4, answering(404))).toMatch(/no longer stored/);
  });

  it("blames the format only when the bytes are there", async () => {
    expect(await playbackProblem("http://s3/media/x", 4, answering(206))).toMatch(/cannot play this recording's format/);
  });

  it("asks to reload when storage cannot be reached", async () => {
    const offline = (async () => { throw new TypeError("Failed to fetch"); }) as typeof fetch;
    expect(await playbackProblem("http://s3/media/x", 2, offline)).toMatch(/could not be loaded/);
    expect(await playbackProblem("http://s3/media/x", 2, answering(500))).toMatch(/could not be loaded/);
  });
});

// The local cloud for a browser test: `python -m local` on free ports, logging to a file (kept with the
// screenshots, so nothing it prints while stopping can break a pipe); resolves once it says where it runs.
import { spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";

// `provider`: "assemblyai" (the local AssemblyAI server and its webhooks) or "speechkit" (the SpeechKit emulator,
// polled by the reconcile timer, here every second).
export function startCloud({ python, root, log, dataDir, engine = "deterministic", provider = "assemblyai", env = {} }) {
  const out = openSync(log, "w");
  const proc = spawn(python, ["-m", "local", "--port", "0", "--s3-port", "0", "--assemblyai-port", "0", "--mail-port", "0",
    "--speechkit-port", "0", "--provider", provider, "--data-dir", dataDir, "--engine", engine,
    "--reconcile-interval", provider === "speechkit" ? "1" : "2", "--webhook-retry-interval", "0.2"],
  { cwd: root, stdio: ["ignore", out, out], env: { ...process.env, ...env } });
  return new Promise((ok, fail) => {
    const started = Date.now();
    proc.on("exit", (code) => fail(new Error(`local cloud exited (${code}):\n${readFileSync(log, "utf8")}`)));
    const poll = setInterval(() => {
      const text = readFileSync(log, "utf8");
      const m = text.match(/running at (http:\/\/\S+)/), mail = text.match(/mail it sent \(password resets\): (http:\/\/\S+)/);
      if (m && mail) { clearInterval(poll); ok({ proc, url: m[1], mailUrl: mail[1] }); }
      else if (Date.now() - started > 60_000) { clearInterval(poll); fail(new Error("local cloud did not start")); }
    }, 100);
  });
}

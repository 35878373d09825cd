// The Communications page in a real browser: Debian's chromium driven by
// playwright-core, against `herald serve` with the demo data (sandbox
// provider failing half the sends, so there are failures and tasks).
// Screenshots go to $HERALD_ARTIFACTS (default build/test-artifacts).
// Skipped (HERALD-SKIPPED) when chromium or playwright-core is missing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const binary = process.env.HERALD_BINARY;
const examples = process.env.HERALD_EXAMPLES_DIR;
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const artifacts = process.env.HERALD_ARTIFACTS ?? "test-artifacts";

let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch {
  chromium = null;
}

// Starts `herald serve` on `dir`; by default the demo with a sandbox
// failing half the sends, on a virtual clock.
function startHerald(dir, settings = { providers: { sandbox: { failure_ratio: 0.5 } } },
                     extra = ["--load", join(examples, "training"), "--time-skipping"]) {
  const config = join(dir, "herald.json");
  writeFileSync(config, JSON.stringify(settings));
  const child = spawn(binary, ["serve", "--data", join(dir, "data"), "--listen", "127.0.0.1:0", "--config", config,
    ...extra], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve({ child, url: m[1] });
    });
    child.on("exit", (code) => reject(new Error(`herald exited ${code}`)));
  });
}

// On a failed step, what the page showed: a screenshot in the artifacts
// and its status line on the output, so a failure in CI can be read.
async function recordFailure(page, name) {
  if (!page) return;
  try {
    await page.screenshot({ path: join(artifacts, `failed-${name}.png`), fullPage: true });
    console.log(`page at failure (${name}): status line "${await page.locator("#status-line").textContent()}"`);
  } catch (e) {
    console.log(`page at failure (${name}): no screenshot (${e.message})`);
  }
}

// Polls `done` every 25 ms until it answers something truthy, which it
// returns, or `limitMs` has passed (its last answer): a bounded wait for
// what the engine or a provider does on another thread.
async function eventually(done, limitMs = 10000) {
  const until = Date.now() + limitMs;
  for (;;) {
    const answer = await done();
    if (answer || Date.now() > until) return answer;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function call(url, method, path, body) {
  const r = await fetch(url + path, {
    method, headers: { "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.json() };
}

test("an operator filters, opens, resends, completes a task and downloads from the page", async (t) => {
  if (!chromium || !existsSync(chromiumPath) || !binary) {
    console.log("HERALD-SKIPPED: chromium or playwright-core is not installed (scripts/install-deps.sh)");
    t.skip();
    return;
  }
  mkdirSync(artifacts, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "herald-page-"));
  const { child, url } = await startHerald(dir);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  let page;
  try {
    // Two months of the demo: bookings, reminders, certificates; half bounce.
    assert.equal((await call(url, "POST", "/v1/admin/time", { advance: "P60D" })).status, 200);
    // A message whose subject and body carry markup and script.
    const hostile = await call(url, "POST", "/v1/communications", {
      mapped_to: "User/u-1", type: "Phone call", subject: "<img src=x onerror=\"window.__xss=1\">Hostile",
      body: "<script>window.__xss=1</script>",
    });
    assert.equal(hostile.status, 201);

    // Without the page's CSP (the test evaluates functions): that nothing
    // hostile runs then rests on the page alone.
    page = await browser.newPage({ acceptDownloads: true, bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => document.querySelectorAll("#results tbody tr").length > 0);
    await page.screenshot({ path: join(artifacts, "1-communications.png"), fullPage: true });

    // The log, filtered to Failed: only failure statuses. The answer to the
    // tab's click (every attempt) is held until the Failed one has come
    // back, as a slower answer would be: the page must keep the later.
    let failedAnswered;
    const failedDone = new Promise((resolve) => { failedAnswered = resolve; });
    const outOfOrder = async (route) => {
      if (new URL(route.request().url()).searchParams.get("status") === "failed") {
        await route.fulfill({ response: await route.fetch() });
        failedAnswered();
      } else {
        await failedDone;
        await route.fulfill({ response: await route.fetch() });
      }
    };
    const logRequests = (u) => u.pathname === "/v1/log";
    await page.route(logRequests, outOfOrder);
    const staleAnswered = page.waitForResponse((r) => logRequests(new URL(r.url())) &&
      new URL(r.url()).searchParams.get("status") === "all");
    await page.getByRole("tab", { name: "Communication log" }).click();
    await page.getByRole("button", { name: "Failed", exact: true }).click();
    await staleAnswered;
    await page.unroute(logRequests, outOfOrder);
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll("#results tbody td.status")];
      return cells.length > 0 && cells.every((c) => c.textContent === "bounced");
    });
    await page.screenshot({ path: join(artifacts, "2-failed.png"), fullPage: true });

    // Open the first failed attempt, then resend it.
    await page.locator("#results tbody tr").first().click();
    await page.waitForSelector("#detail[open]");
    assert.match(await page.locator("#detail-timeline").textContent(), /bounced/);
    await page.screenshot({ path: join(artifacts, "3-detail.png") });
    await page.getByRole("button", { name: "Resend", exact: true }).click();
    const resent = await (await page.waitForFunction(
      () => document.querySelector("#status-line").textContent.match(/Resent as (\S+)/)?.[1])).jsonValue();
    await page.getByRole("button", { name: "All", exact: true }).click();
    await page.waitForSelector(`#results tbody tr[data-id="${resent}"]`);
    await page.screenshot({ path: join(artifacts, "4-resent.png"), fullPage: true });

    // The hostile message shows as text, and nothing of it ran.
    await page.getByLabel("Search").fill("Hostile");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForFunction(() => document.querySelector("#results tbody")?.textContent.includes("<img src=x"));
    await page.locator("#results tbody tr").first().click();
    await page.waitForSelector("#detail[open]");
    assert.equal(await page.locator("#detail-text").textContent(), "<script>window.__xss=1</script>");
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    await page.keyboard.press("Escape");

    // A phone call logged from the page.
    await page.getByText("Log an interaction").click();
    await page.locator("#log-form").getByLabel("About").fill("User/u-1");
    await page.locator("#log-form").getByLabel("Type").fill("Phone call");
    await page.locator("#log-form").getByLabel("Subject").fill("Called about the invoice");
    await page.getByRole("button", { name: "Log", exact: true }).click();
    await page.waitForFunction(() => /Logged as /.test(document.querySelector("#status-line").textContent));
    const logged = await call(url, "GET", "/v1/log?q=Called%20about%20the%20invoice");
    assert.equal(logged.body.items.length, 1);
    assert.equal(logged.body.items[0].type, "Phone call");

    // An ad-hoc message to a user, from the page.
    await page.getByText("Send a message").click();
    await page.locator("#send-form").getByLabel("About").fill("User/u-1");
    await page.locator("#send-form").getByLabel("Subject").fill("Room change");
    await page.locator("#send-form").getByLabel("Message").fill("Your course moved to room 4.");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.waitForFunction(() => /Sent as /.test(document.querySelector("#status-line").textContent));
    const sent = await call(url, "GET", "/v1/log?q=Room%20change");
    assert.equal(sent.body.items.length, 1);
    assert.equal(sent.body.items[0].automated, false);

    // A task completed from the Tasks view.
    await page.getByRole("button", { name: "Tasks", exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll("#task-table tbody tr").length > 0);
    const before = await page.locator("#task-table tbody tr").count();
    await page.locator("#task-table tbody tr").first().getByRole("textbox").fill("Called, all sorted");
    await page.locator("#task-table tbody tr").first().getByRole("button", { name: "Complete" }).click();
    await page.waitForFunction((n) => document.querySelectorAll("#task-table tbody tr").length === n - 1, before);
    await page.screenshot({ path: join(artifacts, "5-tasks.png"), fullPage: true });

    // The queue and the workflows views show what is pending and defined.
    await page.getByRole("button", { name: "Workflows", exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll("#workflow-table tbody tr").length === 6);
    // Why a workflow fired for a delegate: its instances with their rule traces.
    await page.getByLabel("Entity").fill("Delegate/d-1");
    await page.getByRole("button", { name: "Explain" }).click();
    await page.waitForFunction(() => document.querySelector("#explain")?.textContent.includes("✓"));
    // ...and what happened to them, step by step.
    const steps = await page.locator("#explain ol.timeline li").allTextContents();
    assert.ok(steps.some((s) => / created$/.test(s)), steps.join(" | "));
    assert.ok(steps.some((s) => / rendered \(action 1\)$/.test(s)), steps.join(" | "));
    await page.getByRole("button", { name: "Queue", exact: true }).click();
    await page.screenshot({ path: join(artifacts, "6-queue.png"), fullPage: true });

    // A download of what is listed.
    await page.getByRole("button", { name: "Communications", exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll("#results tbody tr").length > 0);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download" }).click()]);
    const saved = join(dir, "download.zip");
    await download.saveAs(saved);
    assert.equal(readFileSync(saved).subarray(0, 2).toString(), "PK");
    assert.deepEqual(errors, []);
  } catch (e) {
    await recordFailure(page, "operator");
    throw e;
  } finally {
    await browser.close();
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an attempt whose provider call was under way at a crash is settled from the page", async (t) => {
  if (!chromium || !existsSync(chromiumPath) || !binary) {
    console.log("HERALD-SKIPPED: chromium or playwright-core is not installed (scripts/install-deps.sh)");
    t.skip();
    return;
  }
  mkdirSync(artifacts, { recursive: true });
  // A SendGrid that takes the call and never answers.
  let calls = 0;
  const stalled = [];
  const sendgrid = createServer((req, res) => { calls += 1; stalled.push(res); });
  await new Promise((resolve) => sendgrid.listen(0, "127.0.0.1", resolve));
  const settings = { channels: { email: "sendgrid" }, providers: { sendgrid: {
    base_url: `http://127.0.0.1:${sendgrid.address().port}`, api_key: "SG.page-test", from: { email: "noreply@herald.test" } } } };
  const dir = mkdtempSync(join(tmpdir(), "herald-page-"));
  let herald = await startHerald(dir, settings, []);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  let page;
  try {
    const { url } = herald;
    assert.equal((await call(url, "PUT", "/v1/templates/hello",
      { channel: "email", subject: "Hello @@FirstName", text: "Hello @@FirstName" })).status, 200);
    assert.equal((await call(url, "PUT", "/v1/workflows/welcome", { title: "Welcome", module: "Person",
      trigger: { on: "person.saved" }, actions: [{ kind: "send", template: "hello", to: ["@self"], channels: ["email"] }] })).status, 200);
    assert.equal((await call(url, "POST", "/v1/events", { specversion: "1.0", id: "p-1", source: "page-test",
      type: "person.saved", subject: "Person/p-1",
      data: { label: "Pat", fields: { FirstName: "Pat" }, contact: { email: "pat@example.com" } } })).status, 202);
    await eventually(() => calls > 0, 5000);
    assert.equal(calls, 1);
    // Killed while the call is under way; started again.
    const exited = new Promise((resolve) => herald.child.on("exit", resolve));
    herald.child.kill("SIGKILL");
    await exited;
    herald = await startHerald(dir, settings, []);
    const unknown = await eventually(async () => {
      const items = (await call(herald.url, "GET", "/v1/log?status=unknown")).body.items;
      return items.length > 0 && items;
    }) || [];
    assert.equal(unknown.length, 1);
    assert.equal(calls, 1);  // not called again

    // bypassCSP: waitForFunction evaluates functions; the page itself is unchanged.
    page = await browser.newPage({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(herald.url);
    await page.getByRole("tab", { name: "Communication log" }).click();
    await page.getByRole("button", { name: "Failed", exact: true }).click();
    await page.waitForFunction(() => [...document.querySelectorAll("#results tbody td.status")]
      .some((c) => c.textContent === "unknown"));
    await page.locator("#results tbody tr").first().click();
    await page.waitForSelector("#detail[open]");
    await page.screenshot({ path: join(artifacts, "7-unknown.png") });
    await page.getByRole("button", { name: "It was not sent" }).click();
    await page.waitForFunction(() => /reconciled by/.test(document.querySelector("#detail-timeline").textContent));
    const settled = await call(herald.url, "GET", `/v1/log/${encodeURIComponent(unknown[0].id)}`);
    assert.equal(settled.body.status, "not_sent");
    assert.equal(await page.locator("#detail-reconcile").isHidden(), true);
    assert.deepEqual(errors, []);
  } catch (e) {
    await recordFailure(page, "unknown");
    throw e;
  } finally {
    await browser.close();
    herald.child.kill("SIGTERM");
    for (const res of stalled) res.destroy();
    sendgrid.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// The extension in a real VS Code (code-server), driven through Chromium as a
// user would: keyboard shortcuts, the Ctrl+. menu, the input box, hover.
// Started by tests/vscode/run.sh, which installs the packaged extension and
// sets VSCODE_URL, CHROMIUM, FLAKEEDIT_TEST_ROOT, FLAKEEDIT_TEST_WORK and
// FLAKEEDIT_SCREENSHOTS. Edits are checked byte for byte on disk after Ctrl+S.

const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const puppeteer = require("puppeteer-core");

const url = process.env.VSCODE_URL;
const root = process.env.FLAKEEDIT_TEST_ROOT;
const work = process.env.FLAKEEDIT_TEST_WORK;
const screenshots = process.env.FLAKEEDIT_SCREENSHOTS;
const TIMEOUT = Number(process.env.FLAKEEDIT_VSCODE_TIMEOUT || 60_000);

// The seed's step 2 without riot's follows: flake-parts is used, not declared.
const seed = fs
  .readFileSync(path.join(root, "tests/fixtures/seed/02-riot-input.nix"), "utf8")
  .split("\n")
  .filter((line) => !line.includes('inputs.nixpkgs.follows = "nixpkgs";'))
  .join("\n");
const RIOT_REV = "5be8c3a2b1e9f0d4c6a7b8e9f0a1b2c3d4e5f6a7";
const lock = JSON.stringify(
  {
    nodes: {
      nixpkgs: {
        locked: {
          lastModified: 1764000000,
          narHash: "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
          owner: "NixOS",
          repo: "nixpkgs",
          rev: "1111111111111111111111111111111111111111",
          type: "github",
        },
        original: { owner: "NixOS", ref: "nixos-unstable", repo: "nixpkgs", type: "github" },
      },
      riot: {
        inputs: { nixpkgs: "nixpkgs_2" },
        locked: {
          lastModified: 1763000000,
          narHash: "sha256-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=",
          owner: "emilpriver",
          repo: "riot",
          rev: RIOT_REV,
          type: "github",
        },
        original: { owner: "emilpriver", repo: "riot", type: "github" },
      },
      nixpkgs_2: {
        locked: {
          lastModified: 1760000000,
          narHash: "sha256-CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC=",
          owner: "NixOS",
          repo: "nixpkgs",
          rev: "2222222222222222222222222222222222222222",
          type: "github",
        },
        original: { owner: "NixOS", ref: "nixpkgs-unstable", repo: "nixpkgs", type: "github" },
      },
      root: { inputs: { nixpkgs: "nixpkgs", riot: "riot" } },
    },
    root: "root",
    version: 7,
  },
  null,
  2,
);

let browser;
let page;

before(async () => {
  fs.mkdirSync(screenshots, { recursive: true });
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800"],
    defaultViewport: { width: 1280, height: 800 },
  });
  page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
});

after(async () => {
  await browser?.close();
});

/** Runs a test step; on failure keeps a screenshot of the window. */
function step(name, body) {
  test(name, async () => {
    try {
      await body();
    } catch (error) {
      const file = path.join(screenshots, `failure-${name.replace(/[^a-z]+/gi, "-").slice(0, 40)}.png`);
      await page?.screenshot({ path: file }).catch(() => {});
      console.error(`screenshot of the failure: ${file}`);
      throw error;
    }
  });
}

async function sleep(ms) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Opens VS Code on `folder` in a fresh tab and waits for the workbench. A new
 * tab, because navigating away from a running workbench can wait on its
 * unload handlers until the navigation times out.
 */
async function openWorkbench(folder) {
  await page?.close({ runBeforeUnload: false }).catch(() => {});
  page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`, { waitUntil: "domcontentloaded" });
  await page.waitForSelector(".monaco-workbench .part.editor", { visible: true });
  await page.waitForSelector(".statusbar", { visible: true });
  // Let the workbench settle (extensions scanned, status bar filled).
  await sleep(2000);
}

async function chord(...keys) {
  for (const key of keys.slice(0, -1)) {
    await page.keyboard.down(key);
  }
  await page.keyboard.press(keys[keys.length - 1]);
  for (const key of keys.slice(0, -1).reverse()) {
    await page.keyboard.up(key);
  }
}

/** The visible quick input's text box (command palette, Go to Line, prompts). */
async function quickInput() {
  return page.waitForSelector(".quick-input-widget .quick-input-box input", { visible: true });
}

/** Runs a command by its title from the command palette. */
async function command(title) {
  await chord("F1");
  const input = await quickInput();
  await input.type(title);
  await page.waitForFunction(
    (wanted) =>
      [...document.querySelectorAll(".quick-input-widget .monaco-list-row")].some((row) =>
        row.textContent.includes(wanted),
      ),
    {},
    title,
  );
  await page.keyboard.press("Enter");
}

/** Opens `file` (an absolute path, inside the folder or not) with Quick Open. */
async function openFile(file) {
  await chord("Control", "p");
  const input = await quickInput();
  // Set the whole path at once, as a paste does: typing races the picker.
  await input.evaluate((element, value) => {
    element.value = value;
    element.dispatchEvent(new Event("input", { bubbles: true }));
  }, file);
  await page.waitForFunction(
    (name) =>
      [...document.querySelectorAll(".quick-input-widget .monaco-list-row")].some((row) =>
        row.textContent.includes(name),
      ),
    {},
    path.basename(file),
  );
  await page.keyboard.press("Enter");
  await page.waitForFunction(
    (name) => document.querySelector(".tabs-container .tab.active")?.textContent.includes(name),
    {},
    path.basename(file),
  );
  await page.waitForSelector(".monaco-editor.focused", { visible: true });
}

/** Moves the cursor to 1-based `line`:`column` with Go to Line. */
async function goTo(line, column) {
  await chord("Control", "g");
  const input = await quickInput();
  await input.type(`${line}:${column}`);
  await page.keyboard.press("Enter");
  await page.waitForSelector(".quick-input-widget", { hidden: true });
}

/** 1-based line and column of `needle` in `text` (column of its first character). */
function position(text, needle) {
  const lines = text.split("\n");
  const index = lines.findIndex((line) => line.includes(needle));
  assert.notEqual(index, -1, `\`${needle}\` is not in the file`);
  return { line: index + 1, column: lines[index].indexOf(needle) + 1 };
}

/** Waits until the Problems panel lists a message containing `needle`. */
async function problem(needle) {
  await chord("Control", "Shift", "M");
  await page.waitForFunction(
    (wanted) => document.querySelector(".markers-panel")?.innerText.includes(wanted),
    {},
    needle,
  );
  const text = await page.$eval(".markers-panel", (panel) => panel.innerText);
  await chord("Control", "Shift", "M");
  return text;
}

/** Opens the Ctrl+. menu at the cursor; returns the titles it offers. */
async function quickFixMenu() {
  await chord("Control", ".");
  // A Ctrl+. that lands while the editor is still busy (a loaded machine)
  // can be dropped by the workbench: press it once more before waiting
  // the whole timeout. A server that never answers fails both.
  const shown = await page
    .waitForSelector(".action-widget .monaco-list-row", { visible: true, timeout: 15000 })
    .catch(() => null);
  if (!shown) {
    await page.keyboard.press("Escape");
    await chord("Control", ".");
  }
  await page.waitForSelector(".action-widget .monaco-list-row", { visible: true });
  await sleep(300);
  return page.$$eval(".action-widget .monaco-list-row.action", (rows) => rows.map((row) => row.innerText.trim()));
}

/** Clicks the menu entry whose title is `title`. */
async function choose(title) {
  const rows = await page.$$(".action-widget .monaco-list-row.action");
  for (const row of rows) {
    const text = await row.evaluate((element) => element.innerText.trim());
    if (text === title) {
      await row.click();
      await page.waitForSelector(".action-widget", { hidden: true });
      return;
    }
  }
  assert.fail(`no \`${title}\` in the Ctrl+. menu`);
}

/** Saves and waits for the file on disk to be `expected`. */
async function expectSaved(file, expected, what) {
  await chord("Control", "s");
  const deadline = Date.now() + 20_000;
  let actual;
  while (Date.now() < deadline) {
    actual = fs.readFileSync(file, "utf8");
    if (actual === expected) {
      return;
    }
    await sleep(200);
  }
  assert.equal(actual, expected, what);
}

step("a flake.nix outside the workspace folder starts the extension (no Nix extension installed)", async () => {
  const folder = path.join(work, "empty-workspace");
  const outside = path.join(work, "outside", "flake.nix");
  fs.mkdirSync(folder, { recursive: true });
  fs.mkdirSync(path.dirname(outside), { recursive: true });
  fs.writeFileSync(path.join(folder, "README.md"), "no flake here\n");
  fs.writeFileSync(outside, seed);
  await openWorkbench(folder);
  await openFile(outside);
  const problems = await problem("flake-parts");
  assert.match(problems, /flake-parts/);
});

step("diagnostic, quick fix and Add input… from Ctrl+., hover with the locked rev", async () => {
  const folder = path.join(work, "nix_template");
  const flake = path.join(folder, "flake.nix");
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(flake, seed);
  fs.writeFileSync(path.join(folder, "flake.lock"), lock);
  await openWorkbench(folder);
  await openFile(flake);

  // The extension started and the server's diagnostic is there.
  const problems = await problem("flake-parts");
  assert.match(problems, /flake-parts/);

  // Ctrl+. on the undeclared `flake-parts` in the outputs arguments.
  const at = position(seed, "flake-parts, ...");
  await goTo(at.line, at.column + 2);
  const offered = await quickFixMenu();
  const fix = offered.find((title) => title.includes("flake-parts"));
  assert.ok(fix, `a quick fix for flake-parts in ${JSON.stringify(offered)}`);
  assert.ok(offered.includes("Add input…"), `Add input… in ${JSON.stringify(offered)}`);
  await page.screenshot({ path: path.join(screenshots, "quick-fix-menu.png") });
  await choose(fix);
  const fixed = fs.readFileSync(path.join(root, "tests/fixtures/lsp/helix-after-quick-fix.nix"), "utf8");
  await expectSaved(flake, fixed, "after the quick fix");

  // "Add input…" prompts in VS Code's input box; the answer is typed.
  const riot = position(fixed, "riot = {");
  await goTo(riot.line, riot.column + 1);
  await quickFixMenu();
  await choose("Add input…");
  const input = await quickInput();
  await input.type("github:nix-systems/default as systems");
  await page.keyboard.press("Enter");
  const added = fs.readFileSync(path.join(root, "tests/vscode/expected-add-input.nix"), "utf8");
  await expectSaved(flake, added, "after Add input…");

  // Hover on the riot input shows its locked revision.
  const riotUrl = position(added, "riot = {");
  await goTo(riotUrl.line, riotUrl.column + 1);
  await command("Show or Focus Hover");
  await page.waitForFunction(
    (rev) => [...document.querySelectorAll(".monaco-hover")].some((hover) => hover.innerText.includes(rev)),
    {},
    RIOT_REV.slice(0, 7),
  );
  await sleep(300);
  await page.screenshot({ path: path.join(screenshots, "hover.png") });
});

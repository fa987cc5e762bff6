-- Driven by tests/neovim/run.sh: loads the plugin, opens a flake, applies
-- "follow nixpkgs" through vim.lsp.buf.code_action, writes, checks bytes;
-- then :FlakeeditAddInput through vim.ui.input.

local root = os.getenv("FLAKEEDIT_TEST_ROOT")
local flake = os.getenv("FLAKEEDIT_TEST_FLAKE")

-- Every deprecated API the plugin (or this test) calls goes through
-- vim.deprecate, whether or not this version prints the warning.
local deprecated = {}
local original_deprecate = vim.deprecate
vim.deprecate = function(name, alternative, version, ...)
  table.insert(deprecated, tostring(name) .. " (use " .. tostring(alternative) .. ", removed in " .. tostring(version) .. ")")
  return original_deprecate(name, alternative, version, ...)
end

local function read(path)
  local file = assert(io.open(path, "rb"))
  local bytes = file:read("*a")
  file:close()
  return bytes
end

local function fail(message)
  io.stderr:write("FAIL: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local function wait_for(what, condition)
  if not vim.wait(20000, condition, 20) then
    fail("timed out waiting for " .. what)
  end
end

local function expect_bytes(expected_path, what)
  local expected = read(expected_path)
  local actual = read(flake)
  if actual ~= expected then
    fail(what .. ": the file differs from " .. expected_path .. "\n--- got ---\n" .. actual)
  end
end

local function run()
  local flakeedit = require("flakeedit")
  flakeedit.setup({ cmd = { os.getenv("FLAKEEDIT_BIN"), "lsp" } })
  vim.cmd("edit " .. vim.fn.fnameescape(flake))
  local bufnr = vim.api.nvim_get_current_buf()

  local client
  wait_for("the server to initialize", function()
    local attached = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr })
      or vim.lsp.buf_get_clients(bufnr)
    for _, c in pairs(attached) do
      if c.name == "flakeedit" and c.initialized then
        client = c
        return true
      end
    end
    return false
  end)

  -- The seed's flake uses flake-parts without declaring it.
  wait_for("diagnostics", function()
    return #vim.diagnostic.get(bufnr) > 0
  end)
  local codes = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(codes, tostring(diagnostic.code))
  end
  if not vim.tbl_contains(codes, "registry-input") then
    fail("expected an registry-input diagnostic, got " .. table.concat(codes, ", "))
  end

  -- Runs the code action titled `wanted` from vim.lsp.buf.code_action's
  -- menu (vim.ui.select picks by title) and waits for the buffer to change.
  local function code_action(wanted)
    local offered = {}
    vim.ui.select = function(items, opts, on_choice)
      for _, item in ipairs(items) do
        local title = opts.format_item(item)
        table.insert(offered, title)
        if title == wanted then
          on_choice(item)
          return
        end
      end
      on_choice(nil)
    end
    local before = vim.api.nvim_buf_get_changedtick(bufnr)
    vim.lsp.buf.code_action()
    wait_for("`" .. wanted .. "` to change the buffer", function()
      return vim.api.nvim_buf_get_changedtick(bufnr) ~= before or
        (#offered > 0 and not vim.tbl_contains(offered, wanted))
    end)
    if not vim.tbl_contains(offered, wanted) then
      fail("no `" .. wanted .. "` action; offered: " .. table.concat(offered, " | "))
    end
  end

  -- Cursor on `riot = {`, then the code action menu.
  local riot_line = vim.fn.search("riot = {")
  vim.api.nvim_win_set_cursor(0, { riot_line, 5 })
  code_action("Make `riot` follow our `nixpkgs`")
  vim.cmd("write")
  expect_bytes(root .. "/tests/fixtures/seed/02-riot-input.nix", "after follow nixpkgs")

  -- "Add input…" from the same menu: the plugin's client command asks with
  -- vim.ui.input, then the server sends workspace/applyEdit.
  local asked
  vim.ui.input = function(opts, on_confirm)
    asked = opts.prompt
    on_confirm("github:hercules-ci/flake-parts follows nixpkgs-lib=nixpkgs")
  end
  code_action("Add input…")
  if not asked then
    fail("Add input… changed the buffer without asking")
  end
  vim.cmd("write")
  expect_bytes(root .. "/tests/neovim/expected-add-input.nix", "after Add input…")

  -- :FlakeeditAddInput asks the same way; the input is there already, so
  -- the file stays as it is.
  local asked_again = false
  vim.ui.input = function(_, on_confirm)
    asked_again = true
    on_confirm("github:hercules-ci/flake-parts")
  end
  vim.cmd("FlakeeditAddInput")
  if not asked_again then
    fail(":FlakeeditAddInput did not ask")
  end

  -- An answer the server cannot read: the plugin sends it as typed and
  -- shows the server's message, which says why and gives an example; the
  -- buffer stays as it is.
  local notified = {}
  local notify = vim.notify
  vim.notify = function(message, level)
    table.insert(notified, message)
  end
  local unchanged = vim.api.nvim_buf_get_changedtick(bufnr)
  local answered = false
  flakeedit.add_input(bufnr, "github:a/b follows", function()
    answered = true
  end)
  wait_for("the server to refuse `github:a/b follows`", function()
    return answered
  end)
  local source_answered = false
  flakeedit.add_source(bufnr, "not a spec", function()
    source_answered = true
  end)
  wait_for("the server to refuse `not a spec`", function()
    return source_answered
  end)
  vim.notify = notify
  local shown = table.concat(notified, "\n")
  if not shown:find("cannot read `github:a/b follows` as REF [as NAME]", 1, true)
    or not shown:find("github:owner/repo follows nixpkgs", 1, true)
    or not shown:find("`not a spec` is not OWNER/REPO@REV", 1, true) then
    fail("the server's messages were not shown; shown: " .. shown)
  end
  if vim.api.nvim_buf_get_changedtick(bufnr) ~= unchanged then
    fail("a refused answer changed the buffer")
  end

  -- The registry-input diagnostic is gone once the server sees the change.
  wait_for("the registry-input diagnostic to go away", function()
    for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
      if diagnostic.code == "registry-input" then
        return false
      end
    end
    return true
  end)
  -- :FlakeeditCheckUpdates on a second flake: the server lists the local
  -- repository, the diagnostic says what is newer, and its quick fix
  -- (from the same code action menu) moves the tag.
  local updates_flake = os.getenv("FLAKEEDIT_TEST_UPDATES_FLAKE")
  vim.cmd("edit " .. vim.fn.fnameescape(updates_flake))
  bufnr = vim.api.nvim_get_current_buf()
  wait_for("the server to attach to the second flake", function()
    local attached = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr })
      or vim.lsp.buf_get_clients(bufnr)
    for _, c in pairs(attached) do
      if c.name == "flakeedit" and c.initialized then
        return true
      end
    end
    return false
  end)
  local checked, check_error = false, nil
  flakeedit.check_updates(bufnr, function(err)
    checked, check_error = true, err
  end)
  wait_for("Check for updates to answer", function()
    return checked
  end)
  if check_error then
    fail("Check for updates failed: " .. vim.inspect(check_error))
  end
  wait_for("the update-available diagnostic", function()
    for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
      if diagnostic.code == "update-available" and diagnostic.message == "v1.1.0 is available (on v1.0.0)" then
        return true
      end
    end
    return false
  end)
  vim.api.nvim_win_set_cursor(0, { vim.fn.search("tool.url"), 4 })
  code_action("Update `tool` to v1.1.0")
  vim.cmd("write")
  local updated = read(updates_flake)
  if not updated:find("?ref=v1.1.0\"", 1, true) or updated:find("v1.0.0", 1, true) then
    fail("after Update `tool` to v1.1.0: " .. updated)
  end

  if #deprecated > 0 then
    fail("deprecated Neovim APIs were called: " .. table.concat(deprecated, "; "))
  end
  if vim.fn.has("nvim-0.11") == 1 then
    client:stop()
  else
    client.stop()
  end
  vim.cmd("qall!")
end

local ok, err = pcall(run)
if not ok then
  fail(tostring(err))
end

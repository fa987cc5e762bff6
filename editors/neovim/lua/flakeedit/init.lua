-- flakeedit for Neovim: starts `flakeedit lsp` for flake.nix buffers and
-- adds :FlakeeditAddInput and :FlakeeditAddSource.
--
--   require("flakeedit").setup({
--     cmd = { "flakeedit", "lsp" },  -- the server command
--     on_attach = function(client, bufnr) end,
--     capabilities = nil,            -- e.g. from cmp_nvim_lsp
--     init_options = {               -- server settings
--       githubUrl = nil,             -- GitHub Enterprise base URL for add-source
--       prefetcher = "auto",         -- "auto", "nix" or "native"
--       forgeUrls = {},              -- "HOST=BASE" redirects for :FlakeeditCheckUpdates
--     },
--   })
--
-- Works on Neovim 0.7 and later: vim.lsp.start where it exists (0.8+),
-- else vim.lsp.start_client and buf_attach_client; one client per flake
-- directory.

local M = {}

local ADD_INPUT_SERVER_COMMAND = "flakeedit.server.addInput"
local CHECK_UPDATES_SERVER_COMMAND = "flakeedit.server.checkForUpdates"
local ADD_SOURCE_SERVER_COMMAND = "flakeedit.server.addSource"

local defaults = {
  cmd = { "flakeedit", "lsp" },
  on_attach = nil,
  capabilities = nil,
  init_options = {},
}

M.config = vim.deepcopy(defaults)

-- Client ids by flake directory.
local clients = {}

local function flake_directory(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return nil
  end
  return vim.fn.fnamemodify(name, ":p:h")
end

-- The server offers "Add input…" and "Add source from GitHub…" only to
-- clients that say they run these commands (the rust-analyzer convention:
-- `experimental.commands.commands`); setup() registers both.
local function client_capabilities()
  local capabilities = M.config.capabilities or vim.lsp.protocol.make_client_capabilities()
  return vim.tbl_deep_extend("force", capabilities, {
    experimental = { commands = { commands = { "flakeedit.addInput", "flakeedit.addSource" } } },
  })
end

--- Starts (or reuses) the server for the flake in `bufnr` and attaches it.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local root = flake_directory(bufnr)
  if not root then
    return nil
  end
  local config = {
    name = "flakeedit",
    cmd = M.config.cmd,
    root_dir = root,
    capabilities = client_capabilities(),
    on_attach = M.config.on_attach,
    init_options = M.config.init_options,
  }
  if vim.lsp.start then
    -- 0.8+: starts or reuses the client for this root and attaches it.
    local client_id = vim.lsp.start(config, { bufnr = bufnr })
    if client_id then
      clients[root] = client_id
    end
    return client_id
  end
  local client_id = clients[root]
  if not client_id or not vim.lsp.get_client_by_id(client_id) then
    client_id = vim.lsp.start_client(config)
    if not client_id then
      vim.notify("flakeedit: cannot start " .. table.concat(M.config.cmd, " "), vim.log.levels.ERROR)
      return nil
    end
    clients[root] = client_id
  end
  vim.lsp.buf_attach_client(bufnr, client_id)
  return client_id
end

local function client_for(bufnr)
  local client_id = clients[flake_directory(bufnr) or ""]
  return client_id and vim.lsp.get_client_by_id(client_id)
end

-- Neovim 0.11 made the client an object: `client:request(...)`. The old
-- `client.request(...)` is deprecated there and goes away in 0.13, while
-- before 0.11 only the field form exists.
local method_form = vim.fn.has("nvim-0.11") == 1

local function request(client, method, params, handler, bufnr)
  if method_form then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function notify_error(err)
  local message = type(err) == "table" and err.message or tostring(err)
  vim.notify("flakeedit: " .. message, vim.log.levels.ERROR)
end

--- Runs a server command with `arguments` for the flake in `bufnr`.
local function execute(bufnr, command, arguments, on_done)
  local client = client_for(bufnr)
  if not client then
    notify_error("no flakeedit server for this buffer; open a flake.nix")
    return
  end
  local params = { command = command, arguments = { arguments } }
  request(client, "workspace/executeCommand", params, function(err, result)
    if err then
      notify_error(err)
    end
    if on_done then
      on_done(err, result)
    end
  end, bufnr)
end

--- Adds an input: `answer` is "REF [as NAME] [follows CHILD,...]"; when nil,
--- the user is asked with vim.ui.input.
function M.add_input(bufnr, answer, on_done)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local function run(text)
    if not text or vim.trim(text) == "" then
      return
    end
    -- Sent as typed: the server reads the answer (as the command line
    -- does) and, when it cannot, answers with an error saying why.
    execute(bufnr, ADD_INPUT_SERVER_COMMAND, { uri = vim.uri_from_bufnr(bufnr), answer = text }, on_done)
  end
  if answer and answer ~= "" then
    run(answer)
  else
    vim.ui.input({ prompt = "Flake reference (e.g. github:owner/repo follows nixpkgs): " }, run)
  end
end

--- Adds a source from GitHub: `answer` is "owner/repo@rev"; asked when nil.
function M.add_source(bufnr, answer, on_done)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local function run(text)
    if not text or vim.trim(text) == "" then
      return
    end
    text = vim.trim(text)
    execute(bufnr, ADD_SOURCE_SERVER_COMMAND, { uri = vim.uri_from_bufnr(bufnr), spec = text }, on_done)
  end
  if answer and answer ~= "" then
    run(answer)
  else
    vim.ui.input({ prompt = "GitHub source (owner/repo@rev): " }, run)
  end
end

--- Lists the inputs' repositories (network) and shows what is newer as
--- diagnostics, each with a quick fix "Update … to …".
function M.check_updates(bufnr, on_done)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  execute(bufnr, CHECK_UPDATES_SERVER_COMMAND, { uri = vim.uri_from_bufnr(bufnr) }, on_done)
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  local group = vim.api.nvim_create_augroup("flakeedit", { clear = true })
  vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
    group = group,
    pattern = "flake.nix",
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  -- Buffers opened before setup().
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.api.nvim_buf_get_name(bufnr):match("/flake%.nix$") then
      M.attach(bufnr)
    end
  end

  -- The code actions "Add input…" and "Add source from GitHub…" name these
  -- client-side commands: prompt here, then run the server command.
  vim.lsp.commands["flakeedit.addInput"] = function(_, ctx)
    M.add_input(ctx.bufnr)
  end
  vim.lsp.commands["flakeedit.addSource"] = function(_, ctx)
    M.add_source(ctx.bufnr)
  end

  vim.api.nvim_create_user_command("FlakeeditAddInput", function(command)
    M.add_input(vim.api.nvim_get_current_buf(), command.args)
  end, { nargs = "*", desc = "flakeedit: add a flake input (asks for the reference)" })
  vim.api.nvim_create_user_command("FlakeeditAddSource", function(command)
    M.add_source(vim.api.nvim_get_current_buf(), command.args)
  end, { nargs = "?", desc = "flakeedit: add a source from GitHub (owner/repo@rev)" })
  vim.api.nvim_create_user_command("FlakeeditCheckUpdates", function()
    M.check_updates(vim.api.nvim_get_current_buf())
  end, { nargs = 0, desc = "flakeedit: check the inputs' repositories for newer releases" })
end

return M

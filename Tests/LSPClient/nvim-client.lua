-- A real LSP client driving `cops lsp` over stdio: Neovim's own (Debian 12 ships 0.7.2; run
-- as `nvim --headless -u NONE -i NONE -n -c "luafile nvim-client.lua"`). LSPClientTests
-- starts it with COPS_BINARY (the built cops) and COPS_LSP_DIR (a scratch directory). It
-- prints "ok: …" for each check and "FAIL: …" for each failure, and exits 0 only when every
-- check passed.
local cops = assert(os.getenv('COPS_BINARY'), 'COPS_BINARY is not set')
local dir = assert(os.getenv('COPS_LSP_DIR'), 'COPS_LSP_DIR is not set')
local failures = 0

local function say(line)
  io.stdout:write(line .. '\n')
end

local function check(name, condition, detail)
  if condition then
    say('ok: ' .. name)
  else
    failures = failures + 1
    say('FAIL: ' .. name .. ': ' .. vim.inspect(detail))
  end
end

local function run()
  -- Cyrillic and an emoji before the error, so a UTF-16 column differs from a byte's and a
  -- scalar's.
  local lines = {
    'echo "Весна 🌸"; deactivate 5 abrot',
    'let ids = (list active)',
    'status $ids',
    'source "lib.cops"',
    '',
  }
  local path = dir .. '/main.cops'
  local file = assert(io.open(path, 'w'))
  file:write(table.concat(lines, '\n'))
  file:close()
  file = assert(io.open(dir .. '/lib.cops', 'w'))
  file:write('echo "lib"\n')
  file:close()
  local uri = vim.uri_from_fname(path)

  local published = {}
  local exit_code
  local client_id = vim.lsp.start_client({
    name = 'cops',
    cmd = { cops, 'lsp' },
    root_dir = dir,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(_, result)
        if result.uri == uri then
          table.insert(published, result.diagnostics)
        end
      end,
    },
    on_exit = function(code)
      exit_code = code
    end,
  })
  check('the client starts the server', client_id ~= nil, client_id)

  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local buffer = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(buffer, client_id)
  check('diagnostics are published on open', vim.wait(20000, function() return #published >= 1 end, 20), published)
  local diagnostics = published[1] or {}
  local first = diagnostics[1] or {}
  check('one diagnostic', #diagnostics == 1, diagnostics)
  check(
    'its range counts UTF-16 units',
    vim.deep_equal(first.range, { start = { line = 0, character = 30 }, ['end'] = { line = 0, character = 35 } }),
    first.range
  )
  check('it is an error', first.severity == 1, first.severity)
  -- The words `cops --check` prints for the same file: its header line's message.
  local checked = vim.fn.system(vim.fn.shellescape(cops) .. ' --check ' .. vim.fn.shellescape(path) .. ' 2>&1')
  local header = checked:match(':1:30: error: ([^\n]*)')
  check('its message is what cops --check says', header ~= nil and vim.startswith(first.message or '', header .. '\n'),
    { lsp = first.message, check = checked })

  local function at(method, line, character)
    local params = { textDocument = { uri = uri }, position = { line = line, character = character } }
    local responses = vim.lsp.buf_request_sync(buffer, method, params, 10000) or {}
    local response = responses[client_id] or {}
    check(method .. ' answers without an error', response.error == nil, response.error)
    return response.result
  end

  local labels = {}
  for _, item in ipairs(at('textDocument/completion', 4, 0) or {}) do
    labels[item.label] = true
  end
  check('completion on an empty line offers deactivate', labels['deactivate'] and labels['let'], labels)

  local hover = at('textDocument/hover', 0, 22) or {}
  check('hover on a verb is its help', hover.contents and vim.startswith(hover.contents.value, 'deactivate T [abort]'), hover)

  local definition = at('textDocument/definition', 2, 9) or {}
  check(
    'definition of $ids is its let',
    definition.uri == uri
      and vim.deep_equal(definition.range, { start = { line = 1, character = 4 }, ['end'] = { line = 1, character = 7 } }),
    definition
  )
  local library = at('textDocument/definition', 3, 10) or {}
  check('definition of a source path is the file', library.uri == vim.uri_from_fname(dir .. '/lib.cops'), library)

  local responses = vim.lsp.buf_request_sync(buffer, 'textDocument/formatting', {
    textDocument = { uri = uri },
    options = { tabSize = 4, insertSpaces = true },
  }, 10000) or {}
  local formatting = responses[client_id] or {}
  check('formatting answers a list of edits', formatting.error == nil and type(formatting.result) == 'table', formatting)

  -- An edit the client sends as an incremental change: `abrot` → `abort`.
  vim.api.nvim_buf_set_text(buffer, 0, 37, 0, 42, { 'abort' })
  check('a change is checked again', vim.wait(20000, function() return #published >= 2 end, 20), published)
  check('the fixed text has no diagnostics', vim.deep_equal(published[#published], {}), published[#published])

  vim.lsp.stop_client(client_id)
  check('the server exits', vim.wait(20000, function() return exit_code ~= nil end, 20), exit_code)
  check('with status 0 after shutdown', exit_code == 0, exit_code)
end

local ok, message = pcall(run)
if not ok then
  failures = failures + 1
  say('FAIL: the client script stopped: ' .. tostring(message))
end
say(failures == 0 and 'nvim-client: ok' or ('nvim-client: ' .. failures .. ' failed'))
io.stdout:flush()
vim.cmd(failures == 0 and 'qall!' or 'cquit 1')

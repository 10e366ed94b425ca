-- Neovim 0.7 headless: attach to `copiloto serve` (vim.lsp.start_client; no vim.lsp.start before 0.8) and get a
-- completion through textDocument/completion (Neovim 0.7 has no inline completion, so the server answers there).
-- env: COPILOTO_NVIM_CMD (JSON array), COPILOTO_NVIM_FILE (python file to open), COPILOTO_NVIM_TIMEOUT_MS
local function out(msg) io.stdout:write('[nvim] ' .. msg .. '\n') end
local function finish(ok, msg)
  out((ok and 'PASS ' or 'FAIL ') .. msg)
  vim.cmd(ok and 'qall!' or 'cquit! 1')
end
local ok_run, err = pcall(function()
  out('nvim ' .. tostring(vim.version().major) .. '.' .. tostring(vim.version().minor) .. '.' .. tostring(vim.version().patch))
  local cmd = vim.fn.json_decode(os.getenv('COPILOTO_NVIM_CMD'))
  local file = os.getenv('COPILOTO_NVIM_FILE')
  local timeout = tonumber(os.getenv('COPILOTO_NVIM_TIMEOUT_MS') or '120000')
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'python'
  local client_id = vim.lsp.start_client({
    name = 'copiloto',
    cmd = cmd,
    root_dir = vim.fn.fnamemodify(file, ':h'),
    init_options = { copiloto = { engine = { request_timeout_s = 30 } } },
    on_exit = function(code, signal) out('server exited code=' .. tostring(code) .. ' signal=' .. tostring(signal)) end,
  })
  assert(client_id, 'vim.lsp.start_client failed')
  assert(vim.lsp.buf_attach_client(bufnr, client_id), 'buf_attach_client failed')
  local client = vim.lsp.get_client_by_id(client_id)
  assert(vim.wait(30000, function() return client.initialized end, 100), 'server did not initialize')
  out('initialized; completionProvider=' .. vim.inspect(client.server_capabilities.completionProvider))

  -- wait for the model
  local state
  local ready = vim.wait(timeout, function()
    local res = client.request_sync('copiloto/status', {}, 2000, bufnr)
    state = res and res.result and res.result.state
    return state == 'ready' or state == 'error'
  end, 250)
  if not ready or state ~= 'ready' then return finish(false, 'model state ' .. tostring(state)) end
  out('model ready')

  -- cursor in the function body: line 2 (0-based 1), after the indentation
  local line = vim.api.nvim_buf_get_lines(bufnr, 1, 2, false)[1]
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = 1, character = #line },
    context = { triggerKind = 1 },
  }
  local t0 = vim.loop.hrtime()
  local results = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion', params, timeout)
  local ms = (vim.loop.hrtime() - t0) / 1e6
  local items = {}
  for _, r in pairs(results or {}) do
    if r.err then out('error: ' .. vim.inspect(r.err)) end
    local result = r.result
    if result then for _, it in ipairs(result.items or result) do table.insert(items, it) end end
  end
  if #items == 0 then return finish(false, 'no completion item') end
  local it = items[1]
  local text = (it.textEdit and it.textEdit.newText) or it.insertText or it.label
  out(string.format('completion after %.0f ms: label=%q newText=%q', ms, it.label, text))
  -- apply it like the completion menu would, then show the buffer
  if it.textEdit then vim.lsp.util.apply_text_edits({ it.textEdit }, bufnr, 'utf-16') end
  out('buffer now: ' .. vim.inspect(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)))
  vim.lsp.stop_client(client_id)
  vim.wait(3000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 100)
  finish(text ~= nil and #vim.trim(text) > 0, 'nvim-completion')
end)
if not ok_run then
  out('error: ' .. tostring(err))
  vim.cmd('cquit! 1')
end

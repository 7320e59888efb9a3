-- cops runbooks: comments, and the language server (`cops lsp`, docs/editors.md).
vim.bo.commentstring = '# %s'

local config = {
  name = 'cops',
  cmd = { 'cops', 'lsp' },
  root_dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ':p:h'),
}
if vim.lsp.start then
  -- Neovim 0.8 and later: starts the server once and attaches every cops buffer to it.
  vim.lsp.start(config)
else
  -- Neovim 0.7 (Debian 12): one client for all cops buffers, started with the first.
  if not _G.cops_lsp_client or vim.lsp.client_is_stopped(_G.cops_lsp_client) then
    _G.cops_lsp_client = vim.lsp.start_client(config)
  end
  if _G.cops_lsp_client then
    vim.lsp.buf_attach_client(0, _G.cops_lsp_client)
  end
end

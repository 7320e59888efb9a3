" cops runbooks: *.cops files, and scripts whose first line runs cops.
autocmd BufRead,BufNewFile *.cops setfiletype cops
autocmd BufRead * if getline(1) =~# '^#!.*\<cops\>' | setfiletype cops | endif

" Vim/Neovim syntax for cops runbooks. The word lists are those of the language's grammar
" table; Tests/CopsLSPTests/EditorGrammarTests.swift fails when they drift apart.
if exists('b:current_syntax')
  finish
endif

" Setting names have dashes (on-error, dry-run).
syntax iskeyword @,48-57,_,-

syntax keyword copsKeyword let param if elif else for wait assert try set echo sleep source help exit
syntax keyword copsVerb activate deactivate status show info list log clone delete launch
syntax keyword copsExpression true false null not and or in
syntax keyword copsClause until timeout every in
syntax keyword copsState active inactive completed deleted status
syntax keyword copsOption now audience limit abort active inactive type tag group from since as
syntax keyword copsSetting output on-error dry-run concurrency timeout retries confirm
syntax keyword copsValue broadcast regular trigger list segment table json text stop continue on off

syntax match copsComment "#.*$" contains=@Spell
syntax match copsVariable "\$\%([A-Za-z_][A-Za-z0-9_]*\|[1-9]\)"
syntax match copsNumber "\<-\?[0-9][0-9_]*\>"
syntax match copsDuration "\<\%([0-9][0-9_]*\%(ms\|s\|m\|h\)\)\+\>"
syntax match copsEscape contained "\\\%(u{[0-9A-Fa-f]\+}\|.\)"
syntax match copsInterpolation contained "\$[A-Za-z_][A-Za-z0-9_]*\%(\.[A-Za-z_][A-Za-z0-9_]*\)*"
syntax region copsString start=+"+ skip=+\\\\\|\\"+ end=+"+ contains=copsEscape,copsInterpolation

highlight default link copsKeyword Statement
highlight default link copsVerb Function
highlight default link copsExpression Operator
highlight default link copsClause Keyword
highlight default link copsState Constant
highlight default link copsOption Identifier
highlight default link copsSetting Type
highlight default link copsValue Constant
highlight default link copsComment Comment
highlight default link copsVariable PreProc
highlight default link copsNumber Number
highlight default link copsDuration Number
highlight default link copsEscape SpecialChar
highlight default link copsInterpolation PreProc
highlight default link copsString String

let b:current_syntax = 'cops'

#ifndef CEDITLINE_SHIM_H
#define CEDITLINE_SHIM_H
/*
 * libedit for Swift. el_set, el_get and history are C variadic functions, which Swift
 * cannot call, so each operation we use gets a fixed-arity inline wrapper here.
 * (Verified on Debian 12, libedit 3.1-20221030; docs/program.md, "The prompt".)
 */
#include <stdio.h>
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <histedit.h>

typedef char *(*cedit_prompt_fn)(EditLine *);
typedef unsigned char (*cedit_cmd_fn)(EditLine *, int);

/* stdin/stdout/stderr are mutable C globals that Swift 6 mode will not touch. */
static inline FILE *cedit_stdin(void) { return stdin; }
static inline FILE *cedit_stdout(void) { return stdout; }
static inline FILE *cedit_stderr(void) { return stderr; }

static inline int cedit_set_prompt_esc(EditLine *el, cedit_prompt_fn fn, char esc) {
    return el_set(el, EL_PROMPT_ESC, fn, esc);
}
static inline int cedit_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int cedit_set_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int cedit_set_clientdata(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
static inline void *cedit_get_clientdata(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}
static inline int cedit_addfn(EditLine *el, const char *name, const char *help, cedit_cmd_fn fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}
static inline int cedit_bind(EditLine *el, const char *key, const char *command) {
    return el_set(el, EL_BIND, key, command, (const char *)NULL);
}
static inline int cedit_set_history(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }

static inline int cedit_hist_setsize(History *h, int n) { HistEvent ev; return history(h, &ev, H_SETSIZE, n); }
static inline int cedit_hist_setunique(History *h, int on) { HistEvent ev; return history(h, &ev, H_SETUNIQUE, on); }
static inline int cedit_hist_enter(History *h, const char *line) { HistEvent ev; return history(h, &ev, H_ENTER, line); }
static inline int cedit_hist_clear(History *h) { HistEvent ev; return history(h, &ev, H_CLEAR); }

#endif

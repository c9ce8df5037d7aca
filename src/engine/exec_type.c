/* exec_type.c — CREATE TYPE and DROP TYPE: names for types, kept in the
 * catalog and recorded in the command topic like any DDL, so a restart
 * has them again.  Sources and queries copy a custom type when they use
 * it, so dropping one changes nothing already made (as in ksqlDB). */
#include <stdio.h>

#include "../base/buf.h"
#include "analyze.h"
#include "engine_internal.h"

int engine__create_type(exec_ctx *x)
{
    const ast_stmt *st = x->stmt;
    const ast_ident *id = &st->u.create_type.name;
    if (analyze_builtin_type_name(id->name))
        return err_at(x->e, ERR_INVALID, id->span.off, id->span.len,
                      "%s is a built-in type; a custom type needs another name", id->name);
    const sqltype *old = catalog_type_find(&x->en->cat, id->name);
    if (old) {
        buf text = BUF_INIT;
        types_print(old, &text);
        err_at(x->e, ERR_ALREADY_EXISTS, id->span.off, id->span.len, "type %s already exists as %s", id->name,
               text.data);
        err_hint(x->e, "DROP TYPE %s first to give the name another type", id->name);
        buf_free(&text);
        return -1;
    }
    if (analyze_check_type(&x->en->cat, st->u.create_type.type, x->e))
        return -1;
    if (engine__record_command(x, NULL))
        return -1;
    arena a;
    arena_init(&a, 1024);
    catalog_type_add(&x->en->cat, id->name, analyze_type(&a, &x->en->cat, st->u.create_type.type));
    arena_free(&a);
    engine__message(x, "Type %s created", id->name);
    return 0;
}

int engine__drop_type(exec_ctx *x)
{
    const ast_stmt *st = x->stmt;
    const ast_ident *id = &st->u.drop.name;
    if (!catalog_type_find(&x->en->cat, id->name)) {
        if (st->u.drop.if_exists)
            return engine__message(x, "Type %s does not exist.", id->name), 0;
        return err_at(x->e, ERR_INVALID, id->span.off, id->span.len, "Type %s does not exist.", id->name);
    }
    if (engine__record_command(x, NULL))
        return -1;
    catalog_type_remove(&x->en->cat, id->name);
    engine__message(x, "Type %s dropped", id->name);
    return 0;
}

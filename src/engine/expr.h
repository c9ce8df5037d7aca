/* expr — compiled expressions, and their evaluation.
 *
 * The analyzer turns an AST expression into an expr tree once per query:
 * names resolved to column slots, every node typed, implicit casts made
 * explicit (both operands of an arithmetic node have the node's type), and
 * functions bound.  The runtime evaluates the tree against a row without
 * looking anything up.  Results that need memory (strings) are allocated
 * in the evaluation arena, which the caller resets per batch.
 *
 * Evaluation errors (a failed cast, a bad argument) return -1 with cx->e
 * filled; SQL NULL is a value, not an error.
 */
#ifndef EDDY_EXPR_H
#define EDDY_EXPR_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/err.h"
#include "types.h"
#include "value.h"

typedef enum expr_kind {
    EX_CONST,       /* constant */
    EX_COLUMN,      /* row[column] */
    EX_NEG,         /* -args[0] */
    EX_NOT,         /* NOT args[0] */
    EX_ARITH,       /* args[0] op args[1], both of type `type` */
    EX_CMP,         /* args[0] op args[1] */
    EX_AND,
    EX_OR,
    EX_IS_NULL,     /* args[0] IS [NOT] NULL */
    EX_IS_DISTINCT, /* args[0] IS [NOT] DISTINCT FROM args[1] */
    EX_BETWEEN,     /* args[0] [NOT] BETWEEN args[1] AND args[2] */
    EX_IN,          /* args[0] [NOT] IN (args[1..]) */
    EX_LIKE,        /* args[0] [NOT] LIKE args[1] [ESCAPE args[2]] */
    EX_CASE,        /* when/then pairs in args, then ELSE (NULL const if absent) */
    EX_CAST,        /* args[0] to `type` */
    EX_CALL,        /* fn(args) */
    EX_CONCAT,      /* args[0] || args[1] */
    EX_FIELD,       /* args[0]->field number `column` of a STRUCT */
    EX_SUBSCRIPT,   /* args[0][args[1]]: ARRAY (1-based, negative from the end) or MAP */
    EX_MAKE_LIST,   /* ARRAY[args], MAP(k, v, ...), STRUCT(v, ...) of `type` */
    EX_LAMBDA,      /* params => args[0]; params bound to vars[column ..] */
    EX_VAR,         /* a lambda parameter: vars[column] */
} expr_kind;

typedef enum expr_op {
    EXOP_ADD, EXOP_SUB, EXOP_MUL, EXOP_DIV, EXOP_MOD,
    EXOP_EQ, EXOP_NE, EXOP_LT, EXOP_LE, EXOP_GT, EXOP_GE,
} expr_op;

typedef struct func_def func_def;
typedef struct expr expr;

struct expr {
    expr_kind kind;
    const sqltype *type;
    expr_op op;
    bool negated;
    int column;        /* EX_COLUMN */
    value constant;    /* EX_CONST */
    expr **args;
    int nargs;
    const func_def *fn; /* EX_CALL */
    char escape;        /* EX_LIKE: escape character or 0 */
    int column_count;   /* EX_LAMBDA: number of parameters */
};

#define EXPR_MAX_VARS 16 /* lambda parameters alive at once */

typedef struct eval_ctx {
    arena *a; /* for results; reset by the caller per batch */
    err *e;
    const value *row;           /* the row of the current call (for lambdas) */
    value vars[EXPR_MAX_VARS];  /* lambda parameters */
    /* Set by plan_apply: which part of the record could not be decoded
     * (EVAL_BAD_KEY, EVAL_BAD_VALUE), or 0; the processing log says so. */
    int bad_part;
    /* Set by plan_eval_column: how many SELECT columns of the current
     * record failed and became NULL, and the first of them (its reason
     * is in e). */
    int column_errors;
    int failed_column;
    /* The input stream's member order learned so far, for plan_apply's
     * decoding (serde_memo), or NULL. */
    struct serde_memo *memo;
} eval_ctx;

enum { EVAL_BAD_KEY = 1, EVAL_BAD_VALUE = 2 };

int expr_eval(const expr *x, const value *row, eval_ctx *cx, value *out);
/* Evaluates lambda node `lambda` (EX_LAMBDA) with its parameters bound to
 * params[0 .. nparams). */
int expr_call_lambda(const expr *lambda, const value *params, eval_ctx *cx, value *out);
/* True when x evaluates to TRUE (NULL and FALSE are not true). */
int expr_eval_pred(const expr *x, const value *row, eval_ctx *cx, bool *out);
/* Casts a value between types (also used by INSERT ... VALUES). */
int expr_cast(const value *in, const sqltype *from, const sqltype *to, eval_ctx *cx, value *out);
/* Whether CAST(x AS to) is allowed for an x of type `from`, by ksqlDB's
 * rules: anything to STRING, STRING to any scalar, numbers among
 * themselves, TIMESTAMP to DATE or TIME, DATE to TIMESTAMP, and ARRAY,
 * MAP and STRUCT to their own kind when their parts can be cast (a STRUCT
 * field is matched by name; target fields the source lacks become NULL). */
bool expr_can_cast(const sqltype *from, const sqltype *to);
/* Structural equality of two compiled expressions (same computation). */
bool expr_equal(const expr *a, const expr *b);
/* Marks in `used` (one flag per row slot) every column x reads. */
void expr_columns_used(const expr *x, bool *used);
/* SQL LIKE matching: % any run, _ any one character, `escape` quotes. */
bool expr_like(const char *s, uint32_t slen, const char *p, uint32_t plen, char escape);

#endif

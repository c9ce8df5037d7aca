/* test_lex — the SQL lexer: token kinds, spans, comments, quoting, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/err.h"
#include "parser/lex.h"

#define MAXTOK 64

/* Lexes all of src into toks; returns the count (EOF included), or -1 on
 * an error, left in *e. */
static int lex_all(const char *src, token *toks, err *e)
{
    lexer l;
    lex_init(&l, src, strlen(src));
    for (int n = 0; n < MAXTOK; n++) {
        if (!lex_next(&l, &toks[n], e))
            return -1;
        if (toks[n].kind == TK_EOF)
            return n + 1;
    }
    return MAXTOK;
}

static void assert_kinds(const char *src, const tok_kind *kinds, int n)
{
    token toks[MAXTOK];
    err e;
    int got = lex_all(src, toks, &e);
    if (got < 0)
        fail_msg("<%s>: %s", src, e.msg);
    assert_int_equal(got, n);
    for (int i = 0; i < n; i++)
        if (toks[i].kind != kinds[i])
            fail_msg("<%s> token %d: got %s, want %s", src, i, lex_token_name(toks[i].kind),
                     lex_token_name(kinds[i]));
}

static void test_keywords_are_case_insensitive(void **state)
{
    const tok_kind k[] = {TK_SELECT, TK_SELECT, TK_FROM, TK_EMIT, TK_EOF};
    assert_kinds("select SeLeCt FROM emit", k, 5);
}

static void test_keyword_list_is_sorted_and_round_trips(void **state)
{
    for (int k = TK_FIRST_KEYWORD + 1; k < TK__COUNT; k++)
        assert_true(strcmp(lex_token_name((tok_kind)(k - 1)), lex_token_name((tok_kind)k)) < 0);
    for (int k = TK_FIRST_KEYWORD; k < TK__COUNT; k++) {
        const char *name = lex_token_name((tok_kind)k);
        assert_int_equal(lex_keyword(name, strlen(name)), k);
    }
    assert_int_equal(lex_keyword("selectx", 7), TK_IDENT);
}

static void test_reserved_and_non_reserved_words(void **state)
{
    assert_true(lex_is_reserved(TK_SELECT));
    assert_true(lex_is_reserved(TK_FROM));
    assert_true(lex_is_reserved(TK_NULL));
    assert_false(lex_is_reserved(TK_SIZE));
    assert_false(lex_is_reserved(TK_KEY));
    assert_false(lex_is_reserved(TK_TIMESTAMP));
    assert_false(lex_is_reserved(TK_IDENT));
}

static void test_tokens_carry_offset_and_length(void **state)
{
    token t[MAXTOK];
    err e;
    const char *src = "SELECT  abc,\n  'x y' FROM";
    assert_int_equal(lex_all(src, t, &e), 6);
    assert_int_equal(t[0].off, 0);
    assert_int_equal(t[0].len, 6);
    assert_int_equal(t[1].off, 8);
    assert_int_equal(t[1].len, 3);
    assert_int_equal(t[2].kind, TK_COMMA);
    assert_int_equal(t[2].off, 11);
    assert_int_equal(t[3].kind, TK_STRING_LIT);
    assert_int_equal(t[3].off, 15);
    assert_int_equal(t[3].len, 5);
    assert_int_equal(t[4].off, 21);
    assert_int_equal(t[5].kind, TK_EOF);
    assert_int_equal(t[5].off, strlen(src));
}

static void test_operators(void **state)
{
    const tok_kind k[] = {TK_EQ,     TK_NE,     TK_NE,       TK_LT,       TK_LE,    TK_GT,
                          TK_GE,     TK_PLUS,   TK_MINUS,    TK_STAR,     TK_SLASH, TK_PERCENT,
                          TK_CONCAT, TK_ARROW,  TK_LAMBDA,   TK_ASSIGN,   TK_COMMA, TK_SEMI,
                          TK_LPAREN, TK_RPAREN, TK_LBRACKET, TK_RBRACKET, TK_DOT,   TK_EOF};
    assert_kinds("= <> != < <= > >= + - * / % || -> => := , ; ( ) [ ] .", k, (int)(sizeof k / sizeof k[0]));
}

static void test_comments_are_skipped(void **state)
{
    const tok_kind k[] = {TK_SELECT, TK_INT_LIT, TK_MINUS, TK_INT_LIT, TK_EOF};
    assert_kinds("SELECT -- a comment\n 1 /* block\n comment */ - /**/2 -- end", k, 5);
}

static void test_number_kinds(void **state)
{
    const tok_kind k[] = {TK_INT_LIT,    TK_DECIMAL_LIT, TK_DECIMAL_LIT, TK_DECIMAL_LIT,
                          TK_DOUBLE_LIT, TK_DOUBLE_LIT,  TK_DOUBLE_LIT,  TK_EOF};
    assert_kinds("42 1.5 .5 7. 1.5E3 2e-1 3E+2", k, 8);
}

static void test_qualified_name_is_not_a_number(void **state)
{
    const tok_kind k[] = {TK_IDENT, TK_DOT, TK_IDENT, TK_EOF};
    assert_kinds("s.col", k, 4);
}

static void test_identifiers_are_upper_cased_unless_quoted(void **state)
{
    arena a;
    arena_init(&a, 0);
    token t[MAXTOK];
    err e;
    const char *src = "myCol `My Col` \"dq\"\"x\" `a``b` size";
    assert_int_equal(lex_all(src, t, &e), 6);
    assert_int_equal(t[0].kind, TK_IDENT);
    assert_string_equal(lex_ident(&a, src, t[0]), "MYCOL");
    assert_int_equal(t[1].kind, TK_QIDENT);
    assert_string_equal(lex_ident(&a, src, t[1]), "My Col");
    assert_string_equal(lex_ident(&a, src, t[2]), "dq\"x");
    assert_string_equal(lex_ident(&a, src, t[3]), "a`b");
    assert_int_equal(t[4].kind, TK_SIZE);
    assert_string_equal(lex_ident(&a, src, t[4]), "SIZE");
    arena_free(&a);
}

static void test_strings_unescape_doubled_quotes(void **state)
{
    arena a;
    arena_init(&a, 0);
    token t[MAXTOK];
    err e;
    const char *src = "'it''s' '' ''''";
    assert_int_equal(lex_all(src, t, &e), 4);
    uint32_t len;
    assert_string_equal(lex_string(&a, src, t[0], &len), "it's");
    assert_int_equal(len, 4);
    assert_string_equal(lex_string(&a, src, t[1], &len), "");
    assert_int_equal(len, 0);
    assert_string_equal(lex_string(&a, src, t[2], &len), "'");
    arena_free(&a);
}

static void assert_lex_error(const char *src, uint32_t off, const char *msg)
{
    token t[MAXTOK];
    err e;
    assert_int_equal(lex_all(src, t, &e), -1);
    assert_int_equal(e.code, ERR_SYNTAX);
    assert_true(e.has_span);
    assert_int_equal(e.off, off);
    assert_string_equal(e.msg, msg);
}

static void test_unterminated_runs_are_errors_at_their_start(void **state)
{
    assert_lex_error("SELECT 'abc", 7, "syntax error: unterminated string");
    assert_lex_error("SELECT `abc", 7, "syntax error: unterminated quoted identifier");
    assert_lex_error("SELECT \"abc", 7, "syntax error: unterminated quoted identifier");
    assert_lex_error("SELECT 1 /* never closed", 9, "syntax error: unterminated comment");
}

static void test_stray_characters_are_errors(void **state)
{
    assert_lex_error("a # b", 2, "syntax error: unexpected character '#'");
    assert_lex_error("a \x01 b", 2, "syntax error: unexpected byte 0x01");
    assert_lex_error("a ! b", 2, "syntax error: unexpected character '!'");
}

static void test_decimal_glued_to_letters_is_an_error(void **state)
{
    assert_lex_error("SELECT 1.5abc", 7, "syntax error: malformed number '1.5abc'");
    assert_lex_error("SELECT 1e5x", 7, "syntax error: malformed number '1e5x'");
}

static void test_digits_then_letters_are_a_name(void **state)
{
    arena a;
    arena_init(&a, 0);
    token t[MAXTOK];
    err e;
    const char *src = "1r 2_x 1e";
    assert_int_equal(lex_all(src, t, &e), 4);
    assert_int_equal(t[0].kind, TK_IDENT);
    assert_string_equal(lex_ident(&a, src, t[0]), "1R");
    assert_int_equal(t[1].kind, TK_IDENT);
    assert_int_equal(t[2].kind, TK_IDENT);
    assert_int_equal(t[2].len, 2);
    arena_free(&a);
}

static void test_lexer_continues_after_an_error(void **state)
{
    lexer l;
    token t;
    err e;
    const char *src = "a # b";
    lex_init(&l, src, strlen(src));
    assert_true(lex_next(&l, &t, &e));
    assert_false(lex_next(&l, &t, &e));
    assert_true(lex_next(&l, &t, &e));
    assert_int_equal(t.kind, TK_IDENT);
    assert_int_equal(t.off, 4);
}

static void test_end_of_input_repeats(void **state)
{
    lexer l;
    token t;
    err e;
    lex_init(&l, "  ", 2);
    assert_true(lex_next(&l, &t, &e));
    assert_int_equal(t.kind, TK_EOF);
    assert_true(lex_next(&l, &t, &e));
    assert_int_equal(t.kind, TK_EOF);
    assert_int_equal(t.off, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keywords_are_case_insensitive),
        cmocka_unit_test(test_keyword_list_is_sorted_and_round_trips),
        cmocka_unit_test(test_reserved_and_non_reserved_words),
        cmocka_unit_test(test_tokens_carry_offset_and_length),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_comments_are_skipped),
        cmocka_unit_test(test_number_kinds),
        cmocka_unit_test(test_qualified_name_is_not_a_number),
        cmocka_unit_test(test_identifiers_are_upper_cased_unless_quoted),
        cmocka_unit_test(test_strings_unescape_doubled_quotes),
        cmocka_unit_test(test_unterminated_runs_are_errors_at_their_start),
        cmocka_unit_test(test_stray_characters_are_errors),
        cmocka_unit_test(test_decimal_glued_to_letters_is_an_error),
        cmocka_unit_test(test_digits_then_letters_are_a_name),
        cmocka_unit_test(test_lexer_continues_after_an_error),
        cmocka_unit_test(test_end_of_input_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

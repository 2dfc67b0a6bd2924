/*
 * lang.h - the languages faultline reads, and the node kinds it names.
 *
 * tree-sitter symbol ids are resolved once at start-up into small enums
 * (PK_* for Python, CK_* for C), so the walk dispatches with one array
 * lookup and the checks switch on names that read like the grammar.
 * Several grammar symbols may share one public name (aliases); all map to
 * the same kind.  Only named node types are mapped.
 */
#ifndef FL_LANG_H
#define FL_LANG_H

#include <stdbool.h>
#include <stdint.h>
#include <tree_sitter/api.h>

/* tree-sitter's id for ERROR nodes (ts_builtin_sym_error in parser.h). */
#define FL_SYM_ERROR ((TSSymbol)-1)

enum fl_lang { LANG_NONE = 0, LANG_PYTHON = 1, LANG_C = 2, LANG__COUNT };
#define LANG_BIT(l) (1u << (l))

#define PY_KINDS(X)                                                            \
	X(module) X(function_definition) X(class_definition)                   \
	X(decorated_definition) X(decorator) X(try_statement)                  \
	X(except_clause) X(finally_clause) X(else_clause) X(with_statement)    \
	X(with_clause) X(with_item) X(call) X(attribute) X(identifier)         \
	X(assignment) X(augmented_assignment) X(expression_statement)          \
	X(import_statement) X(import_from_statement) X(aliased_import)         \
	X(dotted_name) X(relative_import) X(for_statement) X(while_statement)  \
	X(lambda) X(return_statement) X(pass_statement) X(continue_statement)  \
	X(break_statement) X(raise_statement) X(comment) X(string) X(block)    \
	X(argument_list) X(keyword_argument) X(subscript) X(dictionary)        \
	X(pair) X(tuple) X(list) X(set) X(as_pattern) X(as_pattern_target)     \
	X(parenthesized_expression) X(ellipsis) X(none) X(true) X(false)       \
	X(integer) X(float) X(global_statement) X(nonlocal_statement)          \
	X(if_statement) X(await) X(list_splat) X(dictionary_splat)             \
	X(expression_list) X(pattern_list) X(tuple_pattern) X(list_pattern)    \
	X(parameters) X(default_parameter) X(typed_parameter)                  \
	X(typed_default_parameter) X(list_comprehension)                       \
	X(dictionary_comprehension) X(set_comprehension)                       \
	X(generator_expression) X(yield) X(delete_statement)                   \
	X(named_expression) X(conditional_expression) X(boolean_operator)      \
	X(not_operator) X(comparison_operator) X(unary_operator)               \
	X(binary_operator) X(concatenated_string) X(interpolation) X(ERROR)    \
	X(assert_statement) X(match_statement) X(wildcard_import)              \
	X(future_import_statement) X(type) X(string_content) X(elif_clause)   \
	X(lambda_parameters)                                                   \
	X(for_in_clause)

#define C_KINDS(X)                                                             \
	X(translation_unit) X(function_definition) X(function_declarator)      \
	X(declaration) X(init_declarator) X(call_expression)                   \
	X(expression_statement) X(cast_expression) X(identifier)               \
	X(field_expression) X(return_statement) X(if_statement)                \
	X(while_statement) X(for_statement) X(do_statement)                    \
	X(switch_statement) X(assignment_expression) X(binary_expression)      \
	X(unary_expression) X(parenthesized_expression) X(comment)             \
	X(compound_statement) X(argument_list) X(pointer_declarator)           \
	X(type_descriptor) X(primitive_type) X(conditional_expression)         \
	X(comma_expression) X(goto_statement) X(labeled_statement)             \
	X(string_literal) X(ERROR) X(parameter_list) X(parameter_declaration)  \
	X(parenthesized_declarator) X(attributed_declarator)                   \
	X(pointer_expression) X(subscript_expression) X(initializer_list)      \
	X(sizeof_expression) X(case_statement) X(else_clause)                  \
	X(preproc_ifdef) X(preproc_if) X(preproc_else) X(preproc_elif)         \
	X(preproc_function_def) X(preproc_def) X(struct_specifier)             \
	X(type_identifier) X(field_identifier) X(null) X(true) X(false)        \
	X(number_literal) X(update_expression) X(macro_type_specifier)     \
	X(preproc_include) X(system_lib_string) X(concatenated_string)         \
	X(break_statement) X(continue_statement) X(statement_identifier)       \
	X(array_declarator) X(char_literal)

enum py_kind {
	PK_OTHER = 0,
#define X(n) PK_##n,
	PY_KINDS(X)
#undef X
	PK__COUNT
};

enum c_kind {
	CK_OTHER = 0,
#define X(n) CK_##n,
	C_KINDS(X)
#undef X
	CK__COUNT
};

/* Field names used by the model and checks, resolved per language. */
#define FL_FIELDS(X)                                                           \
	X(name) X(body) X(value) X(alias) X(function) X(arguments) X(object)  \
	X(attribute) X(left) X(right) X(key) X(subscript) X(definition)       \
	X(module_name) X(parameters) X(condition) X(consequence)              \
	X(alternative) X(type) X(declarator) X(argument) X(field) X(label)    \
	X(operator) X(superclasses) X(return_type) X(path) X(subject)         \
	X(initializer) X(update)

enum fl_field {
	F_NONE = 0,
#define X(n) F_##n,
	FL_FIELDS(X)
#undef X
	F__COUNT
};

struct fl_langinfo {
	enum fl_lang id;
	const char *name;          /* "python", "c" */
	const TSLanguage *ts;
	uint32_t nsym;
	uint16_t *kind;            /* symbol id -> PK_* / CK_* */
	uint16_t error_kind;       /* PK_ERROR / CK_ERROR */
	TSFieldId field[F__COUNT]; /* 0 when the grammar lacks the field */
};

/* Resolve symbol and field tables; call once before any thread starts. */
void lang_init(void);
const struct fl_langinfo *lang_info(enum fl_lang lang);
const char *lang_name(enum fl_lang lang);

/* Kind of a node (PK_* or CK_*, depending on the language); 0 for a null
 * node. */
static inline unsigned lang_kind(const struct fl_langinfo *li, TSNode n)
{
	if (ts_node_is_null(n))
		return 0; /* a missing child: kind OTHER, never a crash */
	TSSymbol s = ts_node_symbol(n);
	if (s < li->nsym)
		return li->kind[s];
	return s == FL_SYM_ERROR ? li->error_kind : 0;
}

/* The child in field f, or a null node (also for a null n). */
static inline TSNode lang_child(const struct fl_langinfo *li, TSNode n,
				enum fl_field f)
{
	if (ts_node_is_null(n))
		return n;
	return ts_node_child_by_field_id(n, li->field[f]);
}

/* Language of a path by extension; LANG_NONE if unknown. */
enum fl_lang lang_from_path(const char *path);
/* Language of a script by its "#!" line; LANG_NONE if unknown. */
enum fl_lang lang_from_shebang(const char *buf, size_t len);

#endif

"""Running search queries safely: normalised terms, bounded length, prefixes on SQLite.

PostgreSQL stems with the "swedish" configuration (kommunen/kommuner → kommun). SQLite's FTS5
has no Swedish stemmer, so there every term also matches as a prefix ("kommun" finds
"kommunen"), which covers the commonest inflections (suffixes).
"""

import functools
import re

from modelsearch.query import PlainText

from wagtail.search.backends import get_search_backend

# Longest query we look at; the rest is ignored (a search box, not a document).
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
OPERATORS = ("and", "or")

_TERM = re.compile(r"[^\W_]+")


def clean_query(raw: str | None) -> str:
    """The query as typed, bounded and without control characters (PostgreSQL refuses NUL)."""
    return "".join(ch for ch in (raw or "")[:MAX_QUERY_LENGTH] if ch.isprintable()).strip()


def query_terms(raw: str | None) -> list[str]:
    """The words of a query: letters and digits only, so no query syntax reaches the backend."""
    if not raw:
        return []
    return _TERM.findall(raw[:MAX_QUERY_LENGTH])[:MAX_TERMS]


def normalize_query(raw: str | None) -> str:
    return " ".join(query_terms(raw))


def _sqlite_prefix_compiler():
    # Imported only on SQLite: these modules load a model that exists only there.
    from modelsearch.backends.database.sqlite.query import Lexeme, SearchQueryExpression
    from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchQueryCompiler

    class PrefixSQLiteSearchQueryCompiler(SQLiteSearchQueryCompiler):
        """Every term of a plain-text query matches whole words and word prefixes."""

        def build_search_query_content(self, query, config=None):
            if not isinstance(query, PlainText):
                return super().build_search_query_content(query, config=config)
            terms = query.query_string.split()
            if not terms:
                return None
            combined = None
            for term in terms:
                lexeme = Lexeme(term, prefix=True)
                if combined is None:
                    combined = lexeme
                elif query.operator.upper() == "AND":
                    combined &= lexeme
                else:
                    combined |= lexeme
            return SearchQueryExpression(combined, config=config)

    return PrefixSQLiteSearchQueryCompiler


def _postgres_compiler():
    # Imported only on PostgreSQL, like the SQLite modules above.
    from modelsearch.backends.database.postgres.postgres import PostgresSearchQueryCompiler
    from modelsearch.backends.database.postgres.query import Lexeme

    from django.contrib.postgres.search import SearchQuery as TsQuery
    from django.db.models import Q

    class IndexedPostgresSearchQueryCompiler(PostgresSearchQueryCompiler):
        """Match each term against the title and body vectors separately.

        modelsearch filters on `title || body @@ query`, an expression no index covers, so
        every search concatenates and scans every index entry. A term is in the concatenation
        exactly when it is in the title or the body, so matching the GIN-indexed columns one
        by one selects the same rows; the ranking is unchanged.
        """

        def search(self, config, start, stop, score_field=None, backend=None):
            if not isinstance(self.query, PlainText) or self.fields is not None:
                return super().search(config, start, stop, score_field, backend)
            terms = [t for t in re.split(r"[\s\-]+", self.query.query_string) if t]
            if not terms:
                return self.queryset.none()
            vectors = self.get_search_vectors(None)
            rank_expression = self._build_rank_expression(vectors, config)
            queryset = self.queryset.alias(
                _title_vector_=vectors[0][0], _body_vector_=vectors[1][0]
            )
            condition = None
            for term in terms:
                term_query = TsQuery(Lexeme(term), search_type="raw", config=config)
                in_either = Q(_title_vector_=term_query) | Q(_body_vector_=term_query)
                if condition is None:
                    condition = in_either
                elif self.query.operator == "and":
                    condition &= in_either
                else:
                    condition |= in_either
            return self._apply_ordering_and_scoring(
                queryset.filter(condition), rank_expression, start, stop, score_field
            )

    return IndexedPostgresSearchQueryCompiler


# Search backend class name → the factory of the compiler we use with it.
_COMPILER_FACTORIES = {
    "SQLiteSearchBackend": _sqlite_prefix_compiler,
    "PostgresSearchBackend": _postgres_compiler,
}


@functools.cache
def _compiler(backend_name: str):
    return _COMPILER_FACTORIES[backend_name]()


def search(queryset, raw_query: str, operator: str = "and", order_by_relevance: bool = True):
    """Full-text search over a queryset with a normalised query (empty query → no results)."""
    query = normalize_query(raw_query)
    if not query:
        return queryset.none()
    backend = get_search_backend()
    backend_name = type(backend).__name__
    if backend_name in _COMPILER_FACTORIES:
        return backend._search(
            _compiler(backend_name),
            PlainText(query, operator=operator),
            queryset,
            order_by_relevance=order_by_relevance,
        )
    return backend.search(query, queryset, operator=operator, order_by_relevance=order_by_relevance)


def autocomplete(queryset, raw_query: str):
    query = normalize_query(raw_query)
    if not query:
        return queryset.none()
    return get_search_backend().autocomplete(query, queryset, operator="and")


class RankedResults:
    """Search hits as ranked ids from one narrow query; objects are loaded only for the page
    shown. Saves the second full-text pass a separate COUNT would cost."""

    MAX_RANKED = 10_000

    def __init__(self, results, load=None):
        self._results = results
        # By default, load the hits from the searched model.
        self._load = load or (
            lambda ids: results.query_compiler.queryset.model._default_manager.filter(pk__in=ids)
        )
        self._ids = self._ranked_ids(slice(0, self.MAX_RANKED + 1))

    def _ranked_ids(self, key: slice) -> list:
        # Ids straight from the ranked query: building thousands of page objects costs more
        # than the full-text query itself.
        sliced = self._results[key]
        if hasattr(sliced, "get_queryset"):
            return list(sliced.get_queryset().values_list("pk", flat=True))
        return [obj.pk for obj in sliced]

    def count(self) -> int:
        if len(self._ids) > self.MAX_RANKED:
            return self._results.count()
        return len(self._ids)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        ids = self._ids[key]
        if key.stop is not None and key.stop > self.MAX_RANKED:
            ids = self._ranked_ids(key)
        by_id = {obj.pk: obj for obj in self._load(ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

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
    from modelsearch.utils import get_descendants_content_types_pks

    from django.contrib.postgres.search import SearchQuery as TsQuery
    from django.core.exceptions import EmptyResultSet
    from django.db import connections
    from django.db.models import F, Q

    class IndexedPostgresSearchQueryCompiler(PostgresSearchQueryCompiler):
        """Match each term against the title and body vectors separately.

        modelsearch filters on `title || body @@ query`, an expression no index covers, so
        every search concatenates and scans every index entry. A term is in the concatenation
        exactly when it is in the title or the body, so matching the GIN-indexed columns one
        by one selects the same rows; the ranking is unchanged.
        """

        def _terms(self) -> list[str] | None:
            """The terms of a plain-text query over the whole index entry, else None."""
            if not isinstance(self.query, PlainText) or self.fields is not None:
                return None
            return [t for t in re.split(r"[\s\-]+", self.query.query_string) if t]

        def _matches(self, terms, config, title, body):
            condition = None
            for term in terms:
                term_query = TsQuery(Lexeme(term), search_type="raw", config=config)
                in_either = Q(**{title: term_query}) | Q(**{body: term_query})
                if condition is None:
                    condition = in_either
                elif self.query.operator == "and":
                    condition &= in_either
                else:
                    condition |= in_either
            return condition

        def search(self, config, start, stop, score_field=None, backend=None):
            terms = self._terms()
            if terms is None:
                return super().search(config, start, stop, score_field, backend)
            if not terms:
                return self.queryset.none()
            vectors = self.get_search_vectors(None)
            rank_expression = self._build_rank_expression(vectors, config)
            queryset = self.queryset.alias(
                _title_vector_=vectors[0][0], _body_vector_=vectors[1][0]
            )
            condition = self._matches(terms, config, "_title_vector_", "_body_vector_")
            return self._apply_ordering_and_scoring(
                queryset.filter(condition), rank_expression, start, stop, score_field
            )

        def ranked_ids(self, config, start: int, stop: int) -> tuple[list, int | None] | None:
            """The ids of hits [start:stop] in search()'s order, and the number of hits
            (None when the slice starts past the last hit), from one query; None when
            search() would not rank by relevance.

            Ranking a common word scores thousands of index entries. Here each entry is
            scored where it is read, and only its id and score meet the searched objects,
            instead of joining the wide vector columns first and scoring after the join.
            The score is the same expression and the order the same (score, then -pk).
            """
            terms = self._terms()
            if terms is None or not terms or not self.order_by_relevance:
                return None
            vectors = [(F("title"), F("title_norm")), (F("body"), 1.0)]
            model = self.queryset.model
            # The index entry model the backend joins searched objects to.
            entries = model._meta.get_field("index_entries").related_model
            hits = (
                entries._default_manager.filter(
                    content_type_id__in=get_descendants_content_types_pks(model)
                )
                .filter(self._matches(terms, config, "title", "body"))
                .annotate(_search_rank_=self._build_rank_expression(vectors, config))
                .values("object_id", "_search_rank_")
            )
            searched = self.queryset.order_by().values(_search_pk_=F("pk"))
            db = self.queryset.db
            try:
                hits_sql, hits_params = hits.query.get_compiler(using=db).as_sql()
                searched_sql, searched_params = searched.query.get_compiler(using=db).as_sql()
            except EmptyResultSet:
                return [], 0
            # OFFSET 0 keeps PostgreSQL from merging the subquery into the join, which would
            # move the scoring after it. Both parts are Django-compiled SQL with parameters.
            sql = (
                f"SELECT searched._search_pk_, COUNT(*) OVER () FROM ({searched_sql}) searched "  # noqa: S608
                f"JOIN ({hits_sql} OFFSET 0) hits "
                "ON hits.object_id = CAST(searched._search_pk_ AS varchar(50)) "
                "ORDER BY hits._search_rank_ DESC, searched._search_pk_ DESC LIMIT %s OFFSET %s"
            )
            with connections[db].cursor() as cursor:
                cursor.execute(sql, (*searched_params, *hits_params, stop - start, start))
                rows = cursor.fetchall()
            if rows:
                return [row[0] for row in rows], rows[0][1]
            return [], (0 if start == 0 else None)

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
    """Search hits as ranked ids from narrow queries; objects are loaded only for the page
    shown. The count comes with the first ranked ids, not from a second full-text pass."""

    MAX_RANKED = 10_000
    # Ids fetched with the count: the first pages of results, read without another query.
    FIRST_IDS = 100

    def __init__(self, results, load=None):
        self._results = results
        # By default, load the hits from the searched model.
        self._load = load or (
            lambda ids: results.query_compiler.queryset.model._default_manager.filter(pk__in=ids)
        )
        self._count = None
        compiler = getattr(results, "query_compiler", None)
        ranked_ids = getattr(compiler, "ranked_ids", None)
        if ranked_ids is not None:
            # PostgreSQL: the ids of one window of hits at a time, with the count.
            self._ranked_window = functools.partial(
                ranked_ids, compiler.get_config(results.backend)
            )
            if self._fetch_window(0, self.FIRST_IDS):
                return
        # Otherwise all ranked ids (up to MAX_RANKED) at once, and their number.
        self._ranked_window = None
        self._ids = self._ranked_ids(slice(0, self.MAX_RANKED + 1))

    def _fetch_window(self, start: int, stop: int) -> bool:
        window = self._ranked_window(start, stop)
        if window is None:  # not ranked by relevance
            return False
        self._ids, count = window
        self._start, self._at_end = start, len(self._ids) < stop - start
        if count is not None:
            self._count = count
        return True

    def _ranked_ids(self, key: slice) -> list:
        # Ids straight from the ranked query: building thousands of page objects costs more
        # than the full-text query itself.
        sliced = self._results[key]
        if hasattr(sliced, "get_queryset"):
            return list(sliced.get_queryset().values_list("pk", flat=True))
        return [obj.pk for obj in sliced]

    def count(self) -> int:
        if self._count is None:
            if self._ranked_window is None and len(self._ids) <= self.MAX_RANKED:
                self._count = len(self._ids)
            else:  # more hits than were ranked, or a window past the last hit
                self._count = self._results.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list:
        if self._ranked_window is not None:
            start = key.start or 0
            stop = key.stop if key.stop is not None else self.count()
            end = self._start + len(self._ids)
            if start < self._start or (stop > end and not self._at_end):
                self._fetch_window(start, stop)
            ids = self._ids[start - self._start : stop - self._start]
        else:
            ids = self._ids[key]
            if key.stop is not None and key.stop > self.MAX_RANKED:
                ids = self._ranked_ids(key)
        by_id = {obj.pk: obj for obj in self._load(ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

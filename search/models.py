from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.contrib.search_promotions.models import Query


class ZeroResultHits(models.Model):
    """Daily count of searches that found nothing, next to Wagtail's own daily hits."""

    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="zero_result_hits")
    date = models.DateField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        unique_together = [("query", "date")]
        verbose_name = _("search without results")
        verbose_name_plural = _("searches without results")

    def __str__(self) -> str:
        return f"{self.query} {self.date}"

    @classmethod
    def add_hit(cls, query: Query) -> None:
        hits, _created = cls.objects.get_or_create(query=query, date=timezone.localdate())
        cls.objects.filter(pk=hits.pk).update(hits=F("hits") + 1)

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from umis.api.urls import api
from umis.portal.views import set_language

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("language/", set_language, name="set_language"),
    path("payments/", include("umis.payments.urls")),
]
urlpatterns += i18n_patterns(
    path("", include("umis.portal.urls")),
    path("accounts/", include("umis.accounts.urls")),
    path("host/", include("umis.stays.urls")),
    path("", include("umis.stays.own_urls")),
    path("office/duplicates/", include("umis.people.urls")),
    path("office/reports/", include("umis.reports.urls")),
    path("", include("umis.border.urls")),
    path("office/", include("umis.backoffice.urls")),
    path("", include("umis.visas.urls")),
    path("", include("umis.screening.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler400 = "umis.portal.views.error_400"
handler403 = "umis.portal.views.error_403"
handler404 = "umis.portal.views.error_404"
handler500 = "umis.portal.views.error_500"

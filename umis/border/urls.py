from django.urls import path

from umis.border import views

app_name = "border"
urlpatterns = [
    path("stay-calculator/", views.calculator, name="calculator"),
    path("office/overstays/", views.findings, name="findings"),
    path("office/overstays/<int:finding_id>/", views.finding, name="finding"),
    path("office/overstays/<int:finding_id>/take/", views.finding_take, name="finding_take"),
    path(
        "office/overstays/<int:finding_id>/dismiss/", views.finding_dismiss, name="finding_dismiss"
    ),
    path("office/overstays/export.csv", views.findings_csv, name="findings_csv"),
    path("office/overstays/export.xlsx", views.findings_xlsx, name="findings_xlsx"),
]

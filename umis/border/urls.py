from django.urls import path

from umis.border import views

app_name = "border"
urlpatterns = [
    path("stay-calculator/", views.calculator, name="calculator"),
    path("office/overstays/", views.findings, name="findings"),
    path("office/overstays/export.csv", views.findings_csv, name="findings_csv"),
    path("office/overstays/export.xlsx", views.findings_xlsx, name="findings_xlsx"),
]

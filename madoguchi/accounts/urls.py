from django.urls import path

from madoguchi.accounts import views

# Named like allauth's own pages (account_*), beside which they appear.
urlpatterns = [
    path("", views.anti_phishing_code, name="account_anti_phishing_code"),
    path("change/", views.change_anti_phishing_code, name="account_anti_phishing_code_change"),
]

from django.urls import path

from madoguchi.support.views import access

app_name = "support"

urlpatterns = [
    path("support/confirm/<str:token>/", access.confirm_email, name="confirm_email"),
    path("support/access/<str:token>/", access.visitor_access, name="visitor_access"),
]

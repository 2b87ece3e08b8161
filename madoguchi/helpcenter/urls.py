from django.urls import path

from madoguchi.helpcenter import views

app_name = "helpcenter"
urlpatterns = [
    path("", views.home, name="home"),
]

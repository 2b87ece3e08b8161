from django.urls import path

from madoguchi.helpcenter import editor_views, views

app_name = "helpcenter"
urlpatterns = [
    path("", views.home, name="home"),
    path("categories/<slug:slug>/", views.category, name="category"),
    path("articles/<slug:slug>/", views.article, name="article"),
    path("articles/<slug:slug>/feedback/", views.article_feedback, name="article-feedback"),
    path("guides/<slug:slug>/", views.guide, name="guide"),
    path("guides/<slug:slug>/steps/<slug:key>/", views.guide_step, name="guide-step"),
    path("guides/<slug:slug>/solved/", views.guide_solved, name="guide-solved"),
    path("search/", views.search_page, name="search"),
    path("contact/", views.contact, name="contact"),
    path("editor/", editor_views.dashboard, name="editor-dashboard"),
    path("editor/preview/", editor_views.preview, name="editor-preview"),
    path("editor/images/", editor_views.upload_image, name="editor-upload-image"),
    path(
        "editor/articles/<int:article_id>/revisions/",
        editor_views.revisions,
        name="editor-revisions",
    ),
    path("editor/articles/<int:article_id>/review/", editor_views.review, name="editor-review"),
]

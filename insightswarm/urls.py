from django.contrib import admin
from django.urls import include, path

from insightswarm import signin

urlpatterns = [
    # The admin's own sign-in and sign-out, going on only to a page of the admin.
    path("admin/login/", signin.sign_in),
    path("admin/logout/", signin.sign_out),
    path("admin/", admin.site.urls),
    path("", include("pages.urls")),
]

handler404 = "pages.views.not_found"

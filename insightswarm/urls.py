from django.contrib import admin
from django.urls import path

admin.site.site_header = "Insight Swarm CMS"
admin.site.site_title = "Insight Swarm CMS"
admin.site.index_title = "Evidence reviews"

urlpatterns = [
    path("admin/", admin.site.urls),
]

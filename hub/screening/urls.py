from django.urls import path

from . import api

urlpatterns = [
    path("screen/", api.ScreenApi.as_view(), name="api-screen"),
]

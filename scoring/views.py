from django.shortcuts import render

from scoring import selectors


def home(request):
    latest, frameworks = selectors.framework_list_latest(user=request.user)
    return render(request, "scoring/home.html", {"latest": latest, "frameworks": frameworks})


def ranking(request, slug):
    return render(request, "scoring/ranking.html", {"ranking": selectors.ranking_get(slug=slug, user=request.user)})

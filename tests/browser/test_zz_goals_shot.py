import time, pytest
from django.test import Client
from django.conf import settings
from verka.accounts.services import create_user
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.goals.urls")]
def test_shot(live_server, page):
    from verka.demo import load_demo
    from verka.goals.demo import load_demo_goals
    load_demo(); load_demo_goals()
    from django.contrib.auth import get_user_model
    user = get_user_model().objects.get(username="admin")
    c = Client(); c.force_login(user)
    for path in ["/mal/", "/mal/system/", "/mal/initiativ/1/", "/mal/indikatorer/"]:
        t=time.perf_counter(); r=c.get(path); print(path, r.status_code, round(time.perf_counter()-t,2))
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page.goto(live_server.url + "/mal/")
    page.screenshot(path="/tmp/gx/dash.png", full_page=True)
    page.goto(live_server.url + "/mal/initiativ/1/")
    page.screenshot(path="/tmp/gx/init.png", full_page=True)
    page.goto(live_server.url + "/mal/system/")
    page.screenshot(path="/tmp/gx/sys.png", full_page=True)
    from tests.browser.conftest import assert_accessible
    page.goto(live_server.url + "/mal/"); assert_accessible(page)
    page.goto(live_server.url + "/en/mal/"); assert_accessible(page)
    page.screenshot(path="/tmp/gx/dash_en.png", full_page=True)

"""The watch every browser test relies on: it sees console errors, uncaught
JavaScript errors and requests to other hosts, and stops those requests."""

import pytest

pytestmark = pytest.mark.browser

# In the loopback range, so that even a request that got through stays on this
# machine, but not 127.0.0.1: for the watch, another host.
OTHER_HOST = "http://127.0.0.2:9"


def test_the_watch_records_console_and_javascript_errors_and_blocks_other_hosts(watched):
    page, problems = watched
    # A blank page: the portal's Content-Security-Policy would refuse the image itself
    # before the watch saw the request.
    page.set_content("<p>watch</p>")
    # The thrown error comes on a later turn of the page's loop: waited for, as the failed request.
    with page.expect_event("pageerror"), page.expect_event("requestfailed") as failed:
        page.evaluate(
            """url => {
                console.error("logged on purpose");
                setTimeout(() => { throw new Error("thrown on purpose"); });
                document.body.append(Object.assign(document.createElement("img"), {src: url}));
            }""",
            f"{OTHER_HOST}/pixel.png",
        )
    assert failed.value.failure.startswith("net::ERR_BLOCKED_BY_CLIENT")

    assert f"request to another host: GET {OTHER_HOST}/pixel.png" in problems
    assert any(problem.startswith("console error: logged on purpose") for problem in problems)
    assert "uncaught JavaScript error: thrown on purpose" in problems

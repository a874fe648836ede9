"""The static site's Acknowledge links: /ack/<policy>?version=N&fingerprint=HEX."""

import html
from urllib.parse import quote

from tracker_helpers import CONTENT, bump_minimum_necessary, copy_content, sign_in

from portal import load_catalogue

POLICY = load_catalogue(CONTENT).policies["minimum-necessary"]
CURRENT = f"/ack/{POLICY.id}?version={POLICY.version}&fingerprint={POLICY.fingerprint}"


def test_a_link_to_the_current_text_opens_the_signing_page(client, staff_member):
    sign_in(client, "sam@clinic.example")
    response = client.get(CURRENT)
    assert response.status_code == 302 and response.headers["Location"] == f"/policies/{POLICY.id}"


def test_a_link_without_version_opens_the_current_text(client, staff_member):
    sign_in(client, "sam@clinic.example")
    assert client.get(f"/ack/{POLICY.id}").headers["Location"] == f"/policies/{POLICY.id}"
    assert client.get("/ack/no-such-policy").status_code == 404


def test_signing_in_from_a_link_comes_back_to_it(client, staff_member):
    response = client.get(CURRENT)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next={quote(CURRENT, safe='')}"
    signed_in = sign_in(client, "sam@clinic.example", next_page=quote(CURRENT, safe=""))
    assert signed_in.headers["Location"] == CURRENT
    assert client.get(CURRENT).headers["Location"] == f"/policies/{POLICY.id}"


def test_a_superseded_version_is_refused_with_a_link_to_the_current_one(app, client, runner, staff_member, tmp_path):
    root = copy_content(tmp_path)
    bump_minimum_necessary(root)
    app.config["TRACKER_CONTENT_DIR"] = root
    assert runner.invoke(args=["sync"]).exit_code == 0
    sign_in(client, "sam@clinic.example")
    response = client.get(CURRENT)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "version 3 of this policy has been superseded: the current version is 4" in page
    assert f'href="/policies/{POLICY.id}"' in page


def test_a_fingerprint_that_does_not_match_the_archive_is_refused(client, staff_member):
    sign_in(client, "sam@clinic.example")
    response = client.get(f"/ack/{POLICY.id}?version={POLICY.version}&fingerprint={'0' * 64}")
    assert response.status_code == 409
    assert "does not match the archived text of version 3" in response.get_data(as_text=True)


def test_a_version_that_never_existed_is_refused(client, staff_member):
    sign_in(client, "sam@clinic.example")
    response = client.get(f"/ack/{POLICY.id}?version=9&fingerprint={POLICY.fingerprint}")
    assert response.status_code == 409
    assert "version 9 of this policy does not exist" in response.get_data(as_text=True)


def test_an_unknown_policy_is_404(client, staff_member):
    sign_in(client, "sam@clinic.example")
    response = client.get(f"/ack/no-such-policy?version=1&fingerprint={POLICY.fingerprint}")
    assert response.status_code == 404
    assert "There is no policy 'no-such-policy'" in html.unescape(response.get_data(as_text=True))

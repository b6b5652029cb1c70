"""The management pages and Swagger UI, driven in headless Chromium against
the real app on a loopback port. Screenshots go to docs/screenshots/ when
UPDATE_SCREENSHOTS=1 is set (they show timestamps, so every run would change
them), else to a temporary folder."""
import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.helpers.browser import block_outside_loopback, launch_chromium
from tests.helpers import PASSWORD, serve_in_thread

SCREENSHOTS = (
    Path(__file__).resolve().parent.parent / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.mkdtemp(prefix="boards-screenshots-"))
)
XSS_TITLE = "<script>alert(1)</script>"

expect.set_options(timeout=15_000)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="module")
def live_server(app):
    with serve_in_thread(app) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


class Tab:
    """A fresh browser tab (own sessionStorage) on the live server, which
    records uncaught script errors, Content-Security-Policy violations and
    every dialog (alert, confirm...)."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.script_errors = []
        self.dialogs = []
        self.csp_violations = []
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        page.on("console", self._on_console)
        page.on("dialog", self._on_dialog)

    def _on_console(self, message):
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def _on_dialog(self, dialog):
        self.dialogs.append((dialog.type, dialog.message))
        dialog.dismiss()

    def open(self, path):
        self.page.goto(self.base_url + path)
        expect(self.page.locator("body[data-ready=yes]")).to_be_attached()

    def form(self, form_id):
        return self.page.locator(f"#{form_id}")

    def log_in(self, email, password=PASSWORD):
        self.open("/manage-users")
        login = self.form("login-form")
        login.get_by_label("Email").fill(email)
        login.get_by_label("Password").fill(password)
        login.get_by_role("button", name="Log in").click()
        expect(self.page.locator("#session-state")).to_contain_text("Logged in as")


@pytest.fixture
def tab(browser, live_server, db):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    tab = Tab(context.new_page(), live_server)
    yield tab
    context.close()
    assert tab.script_errors == [], "uncaught script errors on the page"
    assert tab.csp_violations == [], "the page broke its Content-Security-Policy"


def field_error(form, field):
    return form.locator(f'[data-error-for="{field}"]')


def assert_next_to_its_field(form, field):
    """The field's message is the element right after the field's label."""
    beside = form.locator(f'[name="{field}"]').evaluate(
        "(input, field) => input.closest('label').nextElementSibling.dataset.errorFor", field
    )
    assert beside == field


def test_sign_up_log_in_and_manage_boards(tab, db):
    page = tab.page
    tab.open("/manage-users")
    signup = tab.form("signup-form")
    signup.get_by_label("Name").fill("김민지")
    signup.get_by_label("Email").fill("minji@example.com")
    signup.get_by_label("Password").fill("short")
    signup.get_by_role("button", name="Sign up").click()
    expect(field_error(signup, "password")).to_have_text("Length must be between 8 and 128.")
    assert_next_to_its_field(signup, "password")
    assert db.value("SELECT COUNT(*) FROM users") == 0

    signup.get_by_label("Password").fill(PASSWORD)
    signup.get_by_role("button", name="Sign up").click()
    expect(signup.locator(".form-ok")).to_contain_text("Welcome, 김민지!")
    expect(field_error(signup, "password")).to_be_empty()
    assert db.value("SELECT name FROM users WHERE email = %s", ("minji@example.com",)) == "김민지"

    login = tab.form("login-form")
    expect(login.get_by_label("Email")).to_have_value("minji@example.com")
    login.get_by_label("Password").fill("wrong password")
    login.get_by_role("button", name="Log in").click()
    expect(login.locator(".form-error")).to_have_text("Wrong email or password.")
    login.get_by_label("Password").fill(PASSWORD)
    login.get_by_role("button", name="Log in").click()
    expect(page.locator("#session-state")).to_have_text("Logged in as 김민지")
    expect(page.locator("#me-email")).to_have_text("minji@example.com")

    tab.open("/manage-boards")  # the token lives on in this tab's sessionStorage
    expect(page.locator("#session-state")).to_have_text("Logged in as 김민지")
    new_board = tab.form("new-board-form")
    new_board.get_by_label("Title").fill("첫 번째 글")
    new_board.get_by_label("Content").fill("안녕하세요, 여러분.")
    new_board.get_by_role("button", name="Post").click()
    expect(page.locator("#board-title")).to_have_text("첫 번째 글")
    expect(page.locator("#board-content")).to_have_text("안녕하세요, 여러분.")
    expect(page.locator("#boards .items .title")).to_have_text(["첫 번째 글"])
    board_id = db.value("SELECT id FROM boards WHERE title = %s", ("첫 번째 글",))
    assert board_id is not None

    edit = tab.form("edit-board-form")
    edit.get_by_label("Title").fill("고친 제목")
    edit.get_by_role("button", name="Save").click()
    expect(edit.locator(".form-ok")).to_have_text("Saved.")
    expect(page.locator("#board-title")).to_have_text("고친 제목")
    expect(page.locator("#boards .items .title")).to_have_text(["고친 제목"])
    assert db.value("SELECT title FROM boards WHERE id = %s", (board_id,)) == "고친 제목"

    edit.get_by_label("Title").fill("")
    edit.get_by_role("button", name="Save").click()
    expect(field_error(edit, "title")).to_have_text("Length must be between 1 and 200.")
    expect(edit.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    expect(edit.locator(".form-error")).to_have_text("Please correct the marked fields.")
    assert_next_to_its_field(edit, "title")
    assert db.value("SELECT title FROM boards WHERE id = %s", (board_id,)) == "고친 제목"

    delete = tab.form("delete-board-form")
    delete.get_by_role("button", name="Delete board").click()
    delete.get_by_role("button", name="Really delete? Click again").click()
    expect(page.locator("#board")).to_be_hidden()
    expect(page.locator("#boards .items")).to_have_text("Nothing here yet.")
    assert db.value("SELECT COUNT(*) FROM boards") == 0

    new_board.get_by_label("Title").fill("두 번째 글")
    new_board.get_by_role("button", name="Post").click()
    expect(page.locator("#board-title")).to_have_text("두 번째 글")
    new_board.get_by_label("Title").fill(XSS_TITLE)
    new_board.get_by_label("Content").fill("<img src=x onerror=alert(2)>")
    new_board.get_by_label("Tags").fill("<b>bold</b>, 한국어, 😀")
    new_board.get_by_role("button", name="Post").click()
    expect(page.locator("#board-title")).to_have_text(XSS_TITLE)
    expect(page.locator("#board-tags .tag")).to_have_text(sorted(["<b>bold</b>", "한국어", "😀"]))
    page.get_by_role("button", name="☆ Favorite").click()
    expect(page.locator("#board-favorites")).to_have_text("Favorited by 1 person")
    expect(page.locator("#board-content")).to_have_text("<img src=x onerror=alert(2)>")
    expect(page.locator("#boards .items .title")).to_have_text([XSS_TITLE, "두 번째 글"])
    comment = tab.form("comment-form")
    comment.get_by_label("Add a comment").fill("좋은 글이네요 👍")
    comment.get_by_role("button", name="Comment").click()
    expect(page.locator("#comments .items .content")).to_have_text(["좋은 글이네요 👍"])
    expect(page.locator("#boards .items .meta")).to_contain_text(["1 comment", "0 comments"])
    expect(delete.get_by_role("button")).to_have_text("Delete board")  # asks again for this one
    assert page.locator("script").count() == 1  # only the page's own module
    assert page.locator("#board img, #boards img, #board b, #boards b").count() == 0
    assert tab.dialogs == []
    page.screenshot(path=SCREENSHOTS / "boards.png", full_page=True)


def test_writing_when_logged_out_asks_to_log_in(tab, db):
    tab.open("/manage-boards")
    new_board = tab.form("new-board-form")
    new_board.get_by_label("Title").fill("안 보일 글")
    new_board.get_by_role("button", name="Post").click()
    expect(new_board.locator(".form-error")).to_contain_text("You are not logged in")
    expect(new_board.get_by_role("link", name="Log in")).to_have_attribute("href", "/manage-users#login")
    assert db.value("SELECT COUNT(*) FROM boards") == 0


def test_someone_elses_board_has_no_edit_tools(tab, signup, client):
    _, owner_headers = signup("owner")
    created = client.post("/boards", json={"title": "남의 글", "content": ""}, headers=owner_headers)
    assert created.status_code == 201
    reader, _ = signup("reader")
    tab.log_in(reader["email"])
    tab.open(f"/manage-boards#board-{created.json['id']}")
    expect(tab.page.locator("#board-title")).to_have_text("남의 글")
    expect(tab.page.locator("#board-owner-tools")).to_be_hidden()


def test_boards_are_browsed_page_by_page(tab, signup, client):
    _, headers = signup()
    for n in range(1, 13):
        response = client.post("/boards", json={"title": f"글 {n}"}, headers=headers)
        assert response.status_code == 201
    tab.open("/manage-boards")
    titles = tab.page.locator("#boards .items .title")
    pager = tab.page.locator("#boards .pager")
    expect(titles).to_have_text([f"글 {n}" for n in range(12, 2, -1)])
    expect(pager.get_by_role("button", name="← Previous")).to_be_disabled()
    pager.get_by_role("button", name="Next →").click()
    expect(titles).to_have_text(["글 2", "글 1"])
    expect(pager.locator("[data-pager=label]")).to_have_text("Page 2")
    expect(pager.get_by_role("button", name="Next →")).to_be_disabled()
    pager.get_by_role("button", name="← Previous").click()
    expect(titles).to_have_text([f"글 {n}" for n in range(12, 2, -1)])


def test_follow_a_user_and_read_the_feed(tab, signup, client, db):
    author, author_headers = signup("박서준")
    client.post("/boards", json={"title": "팔로워에게 보이는 글"}, headers=author_headers)
    signup("이하은")
    reader, _ = signup("Reader Kim")
    tab.log_in(reader["email"])
    page = tab.page
    row = page.locator(f'#users li[data-user-id="{author["id"]}"]')
    expect(row).to_contain_text("박서준")
    row.get_by_role("button", name="Follow", exact=True).click()
    expect(row.get_by_role("button", name="Unfollow", exact=True)).to_be_visible()
    assert db.value(
        "SELECT COUNT(*) FROM follows WHERE follower_id = %s AND followee_id = %s",
        (reader["id"], author["id"]),
    ) == 1
    expect(page.locator(f'#users li[data-user-id="{reader["id"]}"]')).to_contain_text("you")
    page.screenshot(path=SCREENSHOTS / "users.png", full_page=True)

    tab.open("/manage-boards")
    page.get_by_role("tab", name="My feed").click()
    expect(page.locator("#boards .items .title")).to_have_text(["팔로워에게 보이는 글"])

    tab.open("/manage-users")
    row.get_by_role("button", name="Unfollow", exact=True).click()
    expect(row.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    assert db.value("SELECT COUNT(*) FROM follows") == 0


def test_swagger_ui_renders_from_local_assets_offline(tab):
    page = tab.page
    blocked = block_outside_loopback(page)
    page.goto(tab.base_url + "/swagger-ui")
    get_boards = page.locator('.opblock-get .opblock-summary-path[data-path="/boards"]')
    expect(get_boards).to_be_visible()
    expect(page.locator(".opblock-post .opblock-summary-path[data-path='/auth/login']")).to_be_visible()
    assets_blocked = [url for kind, url in blocked if kind in ("script", "stylesheet", "font")]
    assert assets_blocked == []
    page.screenshot(path=SCREENSHOTS / "swagger-ui.png", full_page=False)


def test_account_edit_conflict_log_out_and_delete(tab, signup, db):
    taken, _ = signup("이미 있는 이름")
    me, _ = signup("나")
    page = tab.page
    tab.open("/manage-users")
    signup_form = tab.form("signup-form")
    signup_form.get_by_label("Name").fill("새 사람")
    signup_form.get_by_label("Email").fill(taken["email"])
    signup_form.get_by_label("Password").fill(PASSWORD)
    signup_form.get_by_role("button", name="Sign up").click()
    expect(signup_form.locator(".form-error")).to_have_text(
        "That name or email is already used by another account."
    )

    tab.log_in(me["email"])
    account = tab.form("account-form")
    expect(account.get_by_label("Name")).to_have_value("나")
    account.get_by_label("Name").fill("이미 있는 이름")
    account.get_by_role("button", name="Save").click()
    expect(account.locator(".form-error")).to_contain_text("already used")
    account.get_by_label("Name").fill("바뀐 이름")
    account.get_by_role("button", name="Save").click()
    expect(account.locator(".form-ok")).to_have_text("Saved.")
    expect(page.locator("#session-state")).to_have_text("Logged in as 바뀐 이름")
    assert db.value("SELECT name FROM users WHERE id = %s", (me["id"],)) == "바뀐 이름"

    page.locator("#logout").click()
    expect(page.locator("#session-state")).to_have_text("Not logged in")
    expect(page.locator("#signup-form")).to_be_visible()
    assert page.evaluate("() => sessionStorage.length") == 0
    assert db.value("SELECT COUNT(*) FROM revoked_tokens WHERE user_id = %s", (me["id"],)) == 1

    tab.log_in(me["email"])
    account.get_by_label("New password").fill("a new password 8")
    account.get_by_role("button", name="Save").click()
    expect(page.locator("#session-state")).to_have_text("Not logged in")
    expect(page.locator("#signup-form .form-ok")).to_have_text("Password changed: log in with the new one.")
    tab.log_in(me["email"], "a new password 8")

    delete = tab.form("delete-account-form")
    delete.get_by_role("button", name="Delete my account").click()
    delete.get_by_role("button", name="Really delete? Click again").click()
    expect(page.locator("#session-state")).to_have_text("Not logged in")
    expect(page.locator(f'#users li[data-user-id="{me["id"]}"]')).to_have_count(0)
    assert db.value("SELECT COUNT(*) FROM users WHERE id = %s", (me["id"],)) == 0


def test_editing_a_board_changed_meanwhile_is_explained(tab, signup, client, db):
    author, headers = signup("작성자")
    board_id = client.post("/boards", json={"title": "원래 제목"}, headers=headers).json["id"]
    tab.log_in(author["email"])
    tab.open(f"/manage-boards#board-{board_id}")
    edit = tab.form("edit-board-form")
    expect(edit.get_by_label("Title")).to_have_value("원래 제목")

    changed = client.patch(f"/boards/{board_id}", json={"title": "다른 탭에서 고침"}, headers=headers)
    assert changed.status_code == 200
    edit.get_by_label("Title").fill("내 수정")
    edit.get_by_role("button", name="Save").click()
    expect(edit.locator(".form-error")).to_contain_text("changed")
    expect(tab.page.locator("#board-title")).to_have_text("다른 탭에서 고침")  # reloaded
    expect(edit.get_by_label("Title")).to_have_value("내 수정")  # what was typed stays
    assert db.value("SELECT title FROM boards WHERE id = %s", (board_id,)) == "다른 탭에서 고침"

    edit.get_by_role("button", name="Save").click()  # now against the latest version
    expect(tab.page.locator("#board-title")).to_have_text("내 수정")
    assert db.value("SELECT title FROM boards WHERE id = %s", (board_id,)) == "내 수정"


def test_tags_and_favorites_on_the_boards_page(tab, signup, client, db):
    author, author_headers = signup("태그 작성자")
    other = client.post("/boards", json={"title": "남의 글", "tags": ["rust"]}, headers=author_headers)
    assert other.status_code == 201
    reader, _ = signup("Fan Lee")
    tab.log_in(reader["email"])
    tab.open("/manage-boards")
    page = tab.page
    new_board = tab.form("new-board-form")
    new_board.get_by_label("Title").fill("태그 있는 글")
    new_board.get_by_label("Tags").fill(", ".join(f"t{n}" for n in range(11)))
    new_board.get_by_role("button", name="Post").click()
    expect(field_error(new_board, "tags")).to_have_text("Longer than maximum length 10.")
    assert_next_to_its_field(new_board, "tags")
    new_board.get_by_label("Tags").fill("파이썬,  Go , go,")
    new_board.get_by_role("button", name="Post").click()
    expect(page.locator("#board-title")).to_have_text("태그 있는 글")
    expect(page.locator("#board-tags .tag")).to_have_text(["Go", "go", "파이썬"])
    board_id = db.value("SELECT id FROM boards WHERE title = %s", ("태그 있는 글",))

    edit = tab.form("edit-board-form")
    expect(edit.get_by_label("Tags")).to_have_value("Go, go, 파이썬")
    edit.get_by_label("Tags").fill("Go, rust")
    edit.get_by_role("button", name="Save").click()
    expect(edit.locator(".form-ok")).to_have_text("Saved.")
    expect(page.locator("#board-tags .tag")).to_have_text(["Go", "rust"])
    assert {row["name"] for row in db.all("SELECT name FROM tags")} == {"Go", "rust"}

    page.locator("#board-tags").get_by_role("button", name="rust").click()
    expect(page.locator('[data-hint-for="tag"]')).to_contain_text("Boards tagged rust")
    expect(page.locator("#boards .items .title")).to_have_text(["태그 있는 글", "남의 글"])

    page.locator("#boards .items .title", has_text="남의 글").click()
    expect(page.locator("#board-title")).to_have_text("남의 글")
    page.get_by_role("button", name="☆ Favorite").click()
    expect(page.get_by_role("button", name="★ Unfavorite")).to_be_visible()
    expect(page.locator("#board-favorites")).to_have_text("Favorited by 1 person")
    assert db.value("SELECT board_id FROM favorites WHERE user_id = %s", (reader["id"],)) == other.json["id"]
    expect(page.locator(f'#boards li[data-board-id="{other.json["id"]}"] .meta')).to_contain_text("1 ★ (yours)")
    page.get_by_role("tab", name="My favorites").click()
    expect(page.locator("#boards .items .title")).to_have_text(["남의 글"])
    page.screenshot(path=SCREENSHOTS / "boards-tags-favorites.png", full_page=True)

    page.get_by_role("button", name="★ Unfavorite").click()
    expect(page.get_by_role("button", name="☆ Favorite")).to_be_visible()
    expect(page.locator("#board-favorites")).to_have_text("Favorited by 0 people")
    assert db.value("SELECT COUNT(*) FROM favorites") == 0
    page.get_by_role("tab", name="My favorites").click()
    expect(page.locator("#boards .items")).to_have_text("Nothing here yet.")
    page.get_by_role("tab", name="All boards").click()
    expect(page.locator('[data-hint-for="tag"]')).to_be_hidden()
    assert board_id is not None

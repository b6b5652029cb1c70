// The management pages (/manage-users, /manage-boards): one module that talks
// to the JSON API. User text only ever reaches the page through textContent
// or text nodes, never through innerHTML; no inline scripts or handlers, so
// the pages work under a Content-Security-Policy without 'unsafe-inline'.

const TOKEN_KEY = "boards.token";
const PAGE_SIZE = 10;

// ---------------------------------------------------------------- the API

class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `The server answered ${status}.`);
    this.status = status;
    this.fields = body?.errors?.json || {};
  }
}

/** Calls the API with the tab's bearer token; answers {data, headers} or
 * throws ApiError carrying the status, message and per-field messages. */
async function api(path, { method = "GET", body, headers = {} } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers } };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { message: "Could not reach the server; check your connection." });
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && token) forgetSession(); // expired or revoked
    throw new ApiError(response.status, data);
  }
  return { data, headers: response.headers };
}

const EXPLAINED = {
  401: "You are not logged in, or your session has expired. Please log in, then try again.",
  403: "This belongs to someone else: you can only change or delete your own things.",
  409: "That name or email is already used by another account.",
  412: "This board changed (an edit, a new comment or favorite) since you opened it. The latest version is shown above; your text is still here: save again to replace it.",
  422: "Please correct the marked fields.",
};

/** Words for an error, for the form that caused it. */
function explain(error) {
  if (error.status === 422 && Object.keys(error.fields).length === 0) return error.message;
  return EXPLAINED[error.status] || error.message;
}

// ---------------------------------------------------------------- the page

const $ = (selector, root = document) => root.querySelector(selector);

/** A new element; string children become text nodes (never parsed as HTML). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

const when = (iso) => new Date(iso).toLocaleString();

function clearMessages(form) {
  for (const node of form.querySelectorAll(".field-error, .form-error, .form-ok")) {
    node.replaceChildren();
  }
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

/** A field's messages as one line: a list of them, or for a list field
 * (tags) an object of messages per item. */
function messageText(messages) {
  if (typeof messages === "string") return messages;
  if (Array.isArray(messages)) return messages.map(messageText).join(" ");
  return Object.values(messages || {}).map(messageText).join(" ");
}

/** Tags as typed ("a, b,c") to the list the API takes. */
function splitTags(text) {
  return (text || "").split(",").map((tag) => tag.trim()).filter((tag) => tag !== "");
}

/** Puts an API error next to what caused it: field messages beside their
 * fields, the rest (in words) at the end of the form. */
function showError(form, error, message = explain(error)) {
  for (const [field, messages] of Object.entries(error.fields)) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
    const input = form.querySelector(`[name="${CSS.escape(field)}"]`);
    input?.setAttribute("aria-invalid", "true");
    if (slot) slot.textContent = messageText(messages);
    else message += ` ${field}: ${messageText(messages)}`;
  }
  const slot = $(".form-error", form);
  slot.textContent = message;
  if (error.status === 401 && document.body.dataset.page !== "users") {
    slot.append(" ", el("a", { href: "/manage-users#login" }, "Log in"));
  }
}

/** Runs `action(values)` when the form is submitted, showing its errors. */
function handleSubmit(form, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessages(form);
    const button = $("button[type=submit]", form);
    button.disabled = true;
    try {
      await action(Object.fromEntries(new FormData(form)));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError(form, error);
    } finally {
      button.disabled = false;
    }
  });
}

/** A submit button that asks once more ("Really …?") before acting;
 * answers a function that takes the question back. */
function confirmTwice(form, question) {
  const button = $("button[type=submit]", form);
  const label = button.textContent;
  let timer = null;
  const disarm = () => {
    clearTimeout(timer);
    delete button.dataset.armed;
    button.textContent = label;
  };
  form.addEventListener("submit", (event) => {
    if (button.dataset.armed) {
      disarm(); // and let the submit go on to the real handler
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    button.dataset.armed = "yes";
    button.textContent = question;
    timer = setTimeout(disarm, 5000);
  });
  return disarm;
}

/** A list shown a page at a time, following the API's next_cursor; keeps
 * the cursors seen so far so that "Previous" can go back. */
class PagedList {
  constructor(root, url, renderItem) {
    this.root = root;
    this.url = url; // a function, so the list can change (boards / feed)
    this.renderItem = renderItem;
    this.cursors = [null];
    this.index = 0;
    $('[data-pager="prev"]', root).addEventListener("click", () => this.show(this.index - 1));
    $('[data-pager="next"]', root).addEventListener("click", () => this.show(this.index + 1));
  }

  reload() {
    this.cursors = [null];
    return this.show(0);
  }

  async showLast() {
    while (this.cursors.length > this.index + 1) {
      const before = this.index;
      await this.show(before + 1);
      if (this.index === before) return; // that page failed: its error is shown
    }
  }

  async show(index) {
    const error = $(".form-error", this.root);
    const cursor = this.cursors[index];
    const query = new URLSearchParams({ limit: PAGE_SIZE });
    if (cursor) query.set("cursor", cursor);
    try {
      const url = this.url();
      const { data } = await api(`${url}${url.includes("?") ? "&" : "?"}${query}`);
      this.index = index;
      this.cursors.length = index + 1;
      if (data.next_cursor) this.cursors.push(data.next_cursor);
      const items = data.items.map(this.renderItem);
      $("ul", this.root).replaceChildren(...(items.length ? items : [el("li", { class: "empty" }, "Nothing here yet.")]));
      error.replaceChildren();
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      error.textContent = explain(failure);
    }
    $('[data-pager="prev"]', this.root).disabled = this.index === 0;
    $('[data-pager="next"]', this.root).disabled = this.cursors.length <= this.index + 1;
    $('[data-pager="label"]', this.root).textContent = `Page ${this.index + 1}`;
  }
}

// ---------------------------------------------------------------- session

let me = null; // the logged-in user, or null

/** Drops the token (log out, or the API said it is no longer valid). */
function forgetSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  me = null;
  showSession();
  document.dispatchEvent(new Event("session-ended"));
}

/** Ends the token on the server too (POST /auth/logout), then here; an
 *  error there (already ended, server down) still logs out this page. */
async function logOut() {
  try {
    await api("/auth/logout", { method: "POST" });
  } catch {
    // the token is dropped below either way
  }
  forgetSession();
}

function showSession() {
  $("#session-state").textContent = me ? `Logged in as ${me.name}` : "Not logged in";
  $("#logout").hidden = !me;
}

async function loadSession() {
  if (sessionStorage.getItem(TOKEN_KEY)) {
    try {
      me = (await api("/me")).data;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      me = null;
    }
  }
  showSession();
}

// ---------------------------------------------------------------- /manage-users

async function usersPage() {
  let following = new Set();

  async function loadFollowing() {
    following = new Set();
    if (!me) return;
    let cursor = null;
    do {
      const query = new URLSearchParams({ limit: 100 });
      if (cursor) query.set("cursor", cursor);
      const { data } = await api(`/users/${me.id}/following?${query}`);
      data.items.forEach((user) => following.add(user.id));
      cursor = data.next_cursor;
    } while (cursor);
  }

  function followButton(user, error) {
    const followed = following.has(user.id);
    return el("button", {
      type: "button",
      class: followed ? "action secondary" : "action",
      onclick: async (event) => {
        error.replaceChildren();
        try {
          await api(`/users/${user.id}/follow`, { method: followed ? "DELETE" : "PUT" });
          if (followed) following.delete(user.id);
          else following.add(user.id);
          event.target.replaceWith(followButton(user, error));
        } catch (failure) {
          if (!(failure instanceof ApiError)) throw failure;
          error.textContent = explain(failure);
        }
      },
    }, followed ? "Unfollow" : "Follow");
  }

  function renderUser(user) {
    const error = el("span", { class: "form-error", role: "alert" });
    const mine = me && me.id === user.id;
    return el("li", { "data-user-id": user.id },
      el("span", { class: "name" }, user.name),
      el("span", { class: "meta" }, `#${user.id} · joined ${when(user.created_at)}${mine ? " · you" : ""}`),
      me && !mine ? followButton(user, error) : "",
      error);
  }

  const users = new PagedList($("#users"), () => "/users", renderUser);

  function showAccount() {
    $("#signed-out").hidden = Boolean(me);
    $("#signed-in").hidden = !me;
    if (!me) return;
    $("#me-name").textContent = me.name;
    $("#me-email").textContent = me.email;
    $("#me-id").textContent = me.id;
    $("#me-joined").textContent = when(me.created_at);
    const form = $("#account-form");
    form.elements.name.value = me.name;
    form.elements.email.value = me.email;
    form.elements.password.value = "";
  }

  async function refresh() {
    showSession();
    showAccount();
    await loadFollowing().catch(() => following.clear());
    await users.show(users.index);
  }

  handleSubmit($("#signup-form"), async (values) => {
    const { data } = await api("/users", { method: "POST", body: values });
    const form = $("#signup-form");
    form.reset();
    $(".form-ok", form).textContent = `Welcome, ${data.name}! Your account is ready: log in below.`;
    $("#login-form").elements.email.value = data.email;
    await users.reload();
  });

  handleSubmit($("#login-form"), async (values) => {
    try {
      const { data } = await api("/auth/login", { method: "POST", body: values });
      sessionStorage.setItem(TOKEN_KEY, data.access_token);
    } catch (error) {
      // Here a 401 is the answer to this very form: say what the server said.
      if (error instanceof ApiError && error.status === 401) {
        showError($("#login-form"), error, error.message);
        return;
      }
      throw error;
    }
    $("#login-form").reset();
    await loadSession();
    await refresh();
  });

  handleSubmit($("#account-form"), async (values) => {
    if (!values.password) delete values.password;
    me = (await api(`/users/${me.id}`, { method: "PATCH", body: values })).data;
    if (values.password) {
      // A new password ends every token, this one too: log in again.
      const { email } = me;
      forgetSession();
      $("#login-form").elements.email.value = email;
      $(".form-ok", $("#signup-form")).textContent = "Password changed: log in with the new one.";
      return;
    }
    await refresh();
    $(".form-ok", $("#account-form")).textContent = "Saved.";
  });

  confirmTwice($("#delete-account-form"), "Really delete? Click again");
  handleSubmit($("#delete-account-form"), async () => {
    await api(`/users/${me.id}`, { method: "DELETE" });
    forgetSession(); // refreshes the page through "session-ended"
  });

  document.addEventListener("session-ended", refresh);
  await refresh();
}

// ---------------------------------------------------------------- /manage-boards

async function boardsPage() {
  let listName = "all"; // or "feed", "favorites", "tag"
  let tagFilter = null; // the tag of the "tag" list
  let board = null; // the open board
  let etag = null; // its ETag, sent back as If-Match when editing

  const listUrls = {
    all: () => "/boards",
    feed: () => "/feed",
    favorites: () => (me ? `/users/${me.id}/favorites` : "/feed"), // logged out: the 401 says log in
    tag: () => `/boards?${new URLSearchParams({ tag: tagFilter })}`,
  };
  const boards = new PagedList($("#boards"), () => listUrls[listName](), renderBoardItem);

  function showList(name) {
    listName = name;
    for (const tab of document.querySelectorAll("[data-list]")) {
      tab.setAttribute("aria-selected", String(tab.dataset.list === name));
    }
    for (const hint of document.querySelectorAll("[data-hint-for]")) hint.hidden = hint.dataset.hintFor !== name;
    $("#tag-filter").textContent = tagFilter || "";
    return boards.reload();
  }

  /** A tag as a button that lists the boards with it. */
  function tagButton(tag) {
    return el("li", {},
      el("button", { type: "button", class: "tag", onclick: () => { tagFilter = tag; showList("tag"); } }, tag));
  }
  const comments = new PagedList($("#comments"), () => `/boards/${board.id}/comments`, renderComment);

  function renderBoardItem(item) {
    return el("li", { "data-board-id": item.id },
      el("button", { type: "button", class: "link title", onclick: () => openBoard(item.id) }, item.title),
      el("span", { class: "meta" },
        `by ${item.author.name} · ${item.comment_count} comment${item.comment_count === 1 ? "" : "s"} · ` +
        `${item.favorite_count} ★${item.favorited ? " (yours)" : ""} · ${when(item.created_at)}`),
      el("ul", { class: "tags" }, ...item.tags.map(tagButton)));
  }

  function renderComment(comment) {
    const error = el("span", { class: "form-error", role: "alert" });
    const canDelete = me && (me.id === comment.author.id || me.id === board.author.id);
    const remove = async () => {
      try {
        await api(`/comments/${comment.id}`, { method: "DELETE" });
        await openBoard(board.id);
      } catch (failure) {
        if (!(failure instanceof ApiError)) throw failure;
        error.textContent = explain(failure);
      }
    };
    return el("li", { "data-comment-id": comment.id },
      el("p", { class: "content" }, comment.content),
      el("span", { class: "meta" }, `${comment.author.name} · ${when(comment.created_at)}`),
      canDelete ? el("button", { type: "button", class: "link danger action", onclick: remove }, "Delete") : "",
      error);
  }

  function showBoard() {
    const section = $("#board");
    section.hidden = !board;
    if (!board) return;
    $("#board-title").textContent = board.title;
    $("#board-meta").textContent = `by ${board.author.name} · written ${when(board.created_at)}` +
      (board.updated_at !== board.created_at ? ` · edited ${when(board.updated_at)}` : "");
    $("#board-content").textContent = board.content;
    $("#board-tags").replaceChildren(...board.tags.map(tagButton));
    $("#board-favorites").textContent =
      `Favorited by ${board.favorite_count} ${board.favorite_count === 1 ? "person" : "people"}`;
    const favorite = $("#favorite-button");
    favorite.hidden = !me;
    favorite.textContent = board.favorited ? "★ Unfavorite" : "☆ Favorite";
    favorite.className = board.favorited ? "action secondary" : "action";
    $("#favorite-error").replaceChildren();
    $("#board-owner-tools").hidden = !(me && me.id === board.author.id);
    disarmDelete();
    const form = $("#edit-board-form");
    form.elements.title.value = board.title;
    form.elements.content.value = board.content;
    form.elements.tags.value = board.tags.join(", ");
  }

  /** The open board read again (its counts, tags and ETag), comments kept. */
  async function reloadBoard() {
    const response = await api(`/boards/${board.id}`);
    board = response.data;
    etag = response.headers.get("ETag");
    showBoard();
  }

  $("#favorite-button").addEventListener("click", async () => {
    try {
      await api(`/boards/${board.id}/favorite`, { method: board.favorited ? "DELETE" : "PUT" });
      await reloadBoard();
      await boards.show(boards.index);
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      $("#favorite-error").textContent = failure.status === 404 ? "That board no longer exists." : explain(failure);
    }
  });

  async function openBoard(id) {
    try {
      const response = await api(`/boards/${id}`);
      board = response.data;
      etag = response.headers.get("ETag");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      board = null;
      $(".form-error", $("#boards")).textContent =
        error.status === 404 ? "That board no longer exists." : explain(error);
    }
    for (const form of $("#board").querySelectorAll("form")) clearMessages(form);
    showBoard();
    if (board) {
      history.replaceState(null, "", `#board-${board.id}`);
      await comments.reload();
    }
  }

  for (const tab of document.querySelectorAll("[data-list]")) {
    tab.addEventListener("click", () => showList(tab.dataset.list));
  }
  $("#clear-tag").addEventListener("click", () => showList("all"));

  handleSubmit($("#new-board-form"), async (values) => {
    values.tags = splitTags(values.tags);
    const { data } = await api("/boards", { method: "POST", body: values });
    $("#new-board-form").reset();
    await boards.reload();
    await openBoard(data.id);
  });

  handleSubmit($("#edit-board-form"), async (values) => {
    const typed = { ...values };
    values.tags = splitTags(values.tags);
    try {
      const response = await api(`/boards/${board.id}`, {
        method: "PUT", body: values, headers: etag ? { "If-Match": etag } : {},
      });
      board = response.data;
      etag = response.headers.get("ETag");
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        await openBoard(board.id); // the latest version and its ETag
        const form = $("#edit-board-form");
        form.elements.title.value = typed.title; // keep what the person typed
        form.elements.content.value = typed.content;
        form.elements.tags.value = typed.tags;
        showError(form, error);
        return;
      }
      throw error;
    }
    showBoard();
    $(".form-ok", $("#edit-board-form")).textContent = "Saved.";
    await boards.show(boards.index);
  });

  const disarmDelete = confirmTwice($("#delete-board-form"), "Really delete? Click again");
  handleSubmit($("#delete-board-form"), async () => {
    await api(`/boards/${board.id}`, { method: "DELETE" });
    board = null;
    history.replaceState(null, "", location.pathname);
    showBoard();
    await boards.show(boards.index);
  });

  handleSubmit($("#comment-form"), async (values) => {
    await api(`/boards/${board.id}/comments`, { method: "POST", body: values });
    $("#comment-form").reset();
    await openBoard(board.id); // new comment count, new ETag
    await comments.showLast(); // oldest first: the new comment is at the end
    await boards.show(boards.index);
  });

  document.addEventListener("session-ended", () => { showBoard(); boards.reload(); });
  await boards.reload();
  const linked = /^#board-(\d+)$/.exec(location.hash);
  if (linked) await openBoard(linked[1]);
}

// ---------------------------------------------------------------- start

$("#logout").addEventListener("click", logOut);

await loadSession();
if (document.body.dataset.page === "users") await usersPage();
if (document.body.dataset.page === "boards") await boardsPage();
document.body.dataset.ready = "yes"; // the page is wired up (tests wait for this)

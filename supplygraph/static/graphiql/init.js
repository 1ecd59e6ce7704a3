// supplygraph's GraphiQL page: every request carries the bearer token set in the bar above
// the editor. The token stays in this browser tab (sessionStorage), never in the URL.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var endpoint = root.getAttribute("data-endpoint");
  var input = document.getElementById("token");
  var state = document.getElementById("token-state");
  var KEY = "supplygraph.token";
  var token = sessionStorage.getItem(KEY) || "";
  input.value = token;

  function fetcher(params) {
    var headers = {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json"
    };
    if (token) headers.authorization = "Bearer " + token;
    return fetch(endpoint, {
      method: "POST", headers: headers, body: JSON.stringify(params), credentials: "omit"
    }).then(function (response) { return response.json(); });
  }

  var reactRoot = ReactDOM.createRoot(root);
  var generation = 0;
  function render() {
    generation += 1;
    state.textContent = token ? "token set" : "no token: requests get 401";
    // A new key remounts GraphiQL, so it fetches the schema again with the new token.
    reactRoot.render(React.createElement(GraphiQL, {
      key: generation, fetcher: fetcher, defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false
    }));
  }

  document.getElementById("token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    token = input.value.trim().replace(/^Bearer\s+/i, "");
    if (token) sessionStorage.setItem(KEY, token); else sessionStorage.removeItem(KEY);
    render();
  });
  render();
})();

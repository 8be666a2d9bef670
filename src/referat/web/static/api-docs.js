// Draws the API documentation with Swagger UI (a pinned npm package served from this app), reading its
// settings from the JSON block beside it: no inline script, so the page works under the site's CSP.
(function () {
  var config = JSON.parse(document.getElementById("api-docs-config").textContent);
  SwaggerUIBundle({ url: config.url, dom_id: "#swagger-ui", deepLinking: false, defaultModelsExpandLevel: 0,
                    validatorUrl: null, tryItOutEnabled: false });
})();

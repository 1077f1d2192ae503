// Start GOV.UK Frontend's components (error summary focus, buttons, navigation).
import { initAll } from "/static/vendor/govuk/govuk-frontend.min.js";

initAll();

/* "Fill in from PubMed / Crossref / ClinicalTrials.gov" on each reference form of the admin.
 *
 * The identifier inputs (pmid, doi, nct_id) carry data-reference-lookup, the address of
 * the lookup (compounds/references/admin.py). The button asks it, shows what the source
 * gives, and fills only the fields that are still empty, once the editor confirms:
 * what an editor typed is never replaced. A failed lookup says why and leaves the
 * fields to type. Loaded as a file: the admin runs no inline script (strict CSP).
 */
"use strict";
{
    const IDENTIFIERS = ["pmid", "doi", "nct_id"];
    const DETAILS = {
        authors: "Authors",
        title: "Title",
        journal: "Journal",
        year: "Year",
        study_design: "Study design",
        participants: "Participants",
    };
    const LABEL = "Fill in from PubMed / Crossref / ClinicalTrials.gov";
    // The site gives each source 5 seconds; this covers that and a slow network.
    const PATIENCE_MS = 20000;

    function create(tag, attributes = {}, text = "") {
        const element = document.createElement(tag);
        for (const [name, value] of Object.entries(attributes)) {
            element.setAttribute(name, value);
        }
        element.textContent = text;
        return element;
    }

    // The form's inputs by field name, read from the inputs' current names: Django
    // renumbers the forms after one is removed.
    function fieldsOf(panel) {
        const input = panel.form.querySelector("[data-reference-lookup]");
        const identifier = IDENTIFIERS.find((name) => input.name.endsWith(name));
        const prefix = input.name.slice(0, input.name.length - identifier.length);
        const fields = {};
        for (const name of [...IDENTIFIERS, ...Object.keys(DETAILS)]) {
            fields[name] = document.getElementsByName(prefix + name)[0] || null;
        }
        return {address: input.dataset.referenceLookup, fields};
    }

    function isEmpty(field) {
        return field.value.trim() === "";
    }

    // What a found value reads as: the label of a study design, not its code.
    function shown(field, value) {
        if (field.tagName === "SELECT") {
            const option = [...field.options].find((o) => o.value === String(value));
            return option ? option.textContent : null;
        }
        return String(value);
    }

    function say(panel, message, isError = false) {
        panel.status.textContent = message;
        panel.status.classList.toggle("reference-lookup-error", isError);
    }

    function closeProposal(panel) {
        if (panel.proposal) {
            panel.proposal.remove();
            panel.proposal = null;
        }
    }

    async function lookUp(panel) {
        if (panel.busy) {
            return;
        }
        closeProposal(panel);
        const {address, fields} = fieldsOf(panel);
        const query = new URLSearchParams();
        for (const name of IDENTIFIERS) {
            if (fields[name] && !isEmpty(fields[name])) {
                query.set(name, fields[name].value.trim());
            }
        }
        if ([...query.keys()].length === 0) {
            say(panel, "Enter a PMID, DOI or NCT id first.", true);
            return;
        }
        panel.busy = true;
        panel.button.setAttribute("aria-disabled", "true");
        say(panel, "Looking up the reference…");
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), PATIENCE_MS);
        let answer = null;
        try {
            const response = await fetch(`${address}?${query}`, {
                credentials: "same-origin",
                headers: {Accept: "application/json"},
                signal: controller.signal,
            });
            const type = response.headers.get("Content-Type") || "";
            const body = type.startsWith("application/json") ? await response.json() : {};
            answer = response.ok
                ? body
                : {error: body.error || `The lookup failed (HTTP ${response.status}); type the details yourself.`};
        } catch (error) {
            answer = {
                error: error.name === "AbortError"
                    ? "The lookup took too long; type the details yourself."
                    : "The lookup could not reach the site; type the details yourself.",
            };
        } finally {
            clearTimeout(timer);
            panel.busy = false;
            panel.button.removeAttribute("aria-disabled");
        }
        if (answer.error || !answer.found) {
            // A redirect to the login page arrives as HTML: the session has ended.
            say(panel, answer.error || "The lookup failed; reload the page, or type the details yourself.", true);
            return;
        }
        propose(panel, fields, answer);
    }

    function propose(panel, fields, answer) {
        const fillable = [];
        const list = create("dl");
        const missing = [];
        for (const [name, label] of Object.entries(DETAILS)) {
            const field = fields[name];
            const value = answer.found[name];
            if (!field) {
                continue;
            }
            if (value === undefined || value === null || shown(field, value) === null) {
                missing.push(label.toLowerCase());
                continue;
            }
            let verdict;
            if (isEmpty(field)) {
                fillable.push(name);
                verdict = "will be filled in";
            } else if (field.value.trim() === String(value)) {
                verdict = "already the same";
            } else {
                verdict = "kept as you typed it";
            }
            list.append(create("dt", {}, label));
            const description = create("dd", {}, shown(field, value));
            description.append(" ", create("span", {class: "reference-lookup-verdict"}, `(${verdict})`));
            list.append(description);
        }

        const proposal = create("div", {class: "reference-lookup-proposal"});
        proposal.append(create("p", {}, `${answer.source} record for ${answer.identifier}:`));
        if (list.children.length) {
            proposal.append(list);
        }
        for (const note of answer.notes || []) {
            proposal.append(create("p", {class: "reference-lookup-note"}, note));
        }
        if (missing.length) {
            proposal.append(create("p", {class: "help"}, `Not given by ${answer.source}, for you to fill in: ${missing.join(", ")}.`));
        }
        const actions = create("p", {class: "reference-lookup-actions"});
        let confirm = null;
        if (fillable.length) {
            const count = fillable.length === 1 ? "1 empty field" : `${fillable.length} empty fields`;
            confirm = create("button", {type: "button", class: "button default"}, `Fill in ${count}`);
            confirm.addEventListener("click", () => fill(panel, fields, fillable, answer));
            actions.append(confirm, " ");
        }
        const cancel = create("button", {type: "button", class: "button"}, fillable.length ? "Cancel" : "Close");
        cancel.addEventListener("click", () => {
            closeProposal(panel);
            say(panel, "Nothing was filled in.");
            panel.button.focus();
        });
        actions.append(cancel);
        proposal.append(actions);
        panel.proposal = proposal;
        panel.element.append(proposal);
        say(panel, fillable.length
            ? `Found the ${answer.source} record. Check the details below, then fill in the empty fields or cancel.`
            : `Found the ${answer.source} record; every field it gives already has a value, so nothing will change.`);
        (confirm || cancel).focus();
    }

    function fill(panel, fields, names, answer) {
        const filled = [];
        for (const name of names) {
            const field = fields[name];
            // Typed into while the editor read the proposal: theirs, left alone.
            if (!isEmpty(field)) {
                continue;
            }
            field.value = String(answer.found[name]);
            field.dispatchEvent(new Event("input", {bubbles: true}));
            field.dispatchEvent(new Event("change", {bubbles: true}));
            filled.push(DETAILS[name].toLowerCase());
        }
        closeProposal(panel);
        say(panel, filled.length
            ? `Filled in from ${answer.source}: ${filled.join(", ")}. Check them before you save.`
            : "Nothing was filled in: those fields have values now.");
        panel.button.focus();
    }

    function addButton(form) {
        if (form.querySelector(".reference-lookup")) {
            return;
        }
        const inputs = form.querySelectorAll("[data-reference-lookup]");
        const last = inputs[inputs.length - 1];
        const panel = {
            form,
            element: create("div", {class: "reference-lookup"}),
            button: create("button", {type: "button", class: "button reference-lookup-button"}, LABEL),
            status: create("p", {class: "reference-lookup-status", role: "status", "aria-live": "polite"}),
            proposal: null,
            busy: false,
        };
        panel.button.addEventListener("click", () => lookUp(panel));
        panel.element.append(panel.button, panel.status);
        const cell = last.closest("td");
        const row = last.closest(".form-row");
        if (cell) {
            cell.append(panel.element);
        } else if (row) {
            panel.element.classList.add("form-row");
            row.after(panel.element);
        } else {
            last.after(panel.element);
        }
    }

    function setUp(root) {
        for (const input of root.querySelectorAll("[data-reference-lookup]")) {
            // The hidden template "Add another" copies; its copies are set up when added.
            if (input.closest(".empty-form")) {
                continue;
            }
            addButton(input.closest(".inline-related, tr.form-row, form"));
        }
    }

    document.addEventListener("formset:added", (event) => setUp(event.target));
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", () => setUp(document));
    } else {
        setUp(document);
    }
}

"""Search synonyms and promoted results, and a first list of synonyms every site needs.

The list is content: editors change it in the admin. It holds British spellings of
words condition and compound names use, international names of a few medicines, lay
terms, and the crisis terms readers type, mapped to the condition that carries the
crisis line (a condition a synonym names shows its urgent-help notice first on the
results).
"""

from django.db import migrations, models

from compounds.searchable import term_key

# (term, means): several meanings are separated by commas.
FIRST_SYNONYMS = [
    # British spellings.
    ("leukaemia", "leukemia"),
    ("anaemia", "anemia"),
    ("haemophilia", "hemophilia"),
    ("haemorrhage", "hemorrhage"),
    ("haemorrhoids", "hemorrhoids"),
    ("haematologist", "hematologist"),
    ("oesophagus", "esophagus"),
    ("oesophageal", "esophageal"),
    ("oestrogen", "estrogen"),
    ("oedema", "edema"),
    ("paediatric", "pediatric"),
    ("orthopaedic", "orthopedic"),
    ("diarrhoea", "diarrhea"),
    ("tumour", "tumor"),
    ("coeliac", "celiac"),
    ("ischaemia", "ischemia"),
    ("ischaemic", "ischemic"),
    ("hypoglycaemia", "hypoglycemia"),
    ("hyperglycaemia", "hyperglycemia"),
    ("septicaemia", "septicemia"),
    ("dyslipidaemia", "dyslipidemia"),
    ("hypercholesterolaemia", "hypercholesterolemia"),
    # International names of medicines that the United States names otherwise.
    ("paracetamol", "acetaminophen"),
    ("adrenaline", "epinephrine"),
    ("noradrenaline", "norepinephrine"),
    ("salbutamol", "albuterol"),
    ("glyceryl trinitrate", "nitroglycerin"),
    # Lay terms.
    ("blood cancer", "leukemia, lymphoma, myeloma"),
    ("heart attack", "myocardial infarction"),
    ("high blood pressure", "hypertension"),
    # Crisis terms: the results show the crisis line of the condition first.
    ("suicide", "suicidal ideation"),
    ("suicidal thoughts", "suicidal ideation"),
    ("suicidal feelings", "suicidal ideation"),
    ("kill myself", "suicidal ideation"),
    ("killing myself", "suicidal ideation"),
    ("want to die", "suicidal ideation"),
    ("end my life", "suicidal ideation"),
    ("depressed", "depression, suicidal ideation"),
]


def add_first_synonyms(apps, schema_editor):
    synonym = apps.get_model("compounds", "SearchSynonym")
    for term, means in FIRST_SYNONYMS:
        synonym.objects.get_or_create(key=term_key(term), defaults={"term": term, "means": means})


class Migration(migrations.Migration):
    dependencies = [
        ("compounds", "0018_site_pages"),
    ]

    operations = [
        migrations.CreateModel(
            name="PromotedResult",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "term",
                    models.CharField(
                        help_text="What readers type: a word or a few words, such as “leukaemia” or “blood cancer”. Capitals, accents and punctuation make no difference.",
                        max_length=100,
                    ),
                ),
                ("key", models.CharField(editable=False, max_length=200)),
                (
                    "page",
                    models.CharField(
                        help_text="The address of a public page of this site, such as “/compounds/ketamine/treatment-resistant-depression/does-it-work/” (the whole address, with the site's domain, works too). It shows only while the page is published.",
                        max_length=300,
                        verbose_name="page address",
                    ),
                ),
            ],
            options={
                "verbose_name": "promoted result",
                "ordering": ["key", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("key", "page"), name="promoted_result_term_page"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SearchSynonym",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "term",
                    models.CharField(
                        help_text="What readers type: a word or a few words, such as “leukaemia” or “blood cancer”. Capitals, accents and punctuation make no difference.",
                        max_length=100,
                    ),
                ),
                ("key", models.CharField(editable=False, max_length=200)),
                (
                    "means",
                    models.CharField(
                        help_text="What readers who type the term are looking for, as the site names it: “leukemia”. Several meanings, separated by commas, are each searched: “leukemia, lymphoma, myeloma”. Map a term only to what it honestly means.",
                        max_length=300,
                    ),
                ),
            ],
            options={
                "verbose_name": "search synonym",
                "ordering": ["key"],
                "constraints": [
                    models.UniqueConstraint(fields=("key",), name="search_synonym_term")
                ],
            },
        ),
        migrations.RunPython(add_first_synonyms, migrations.RunPython.noop),
    ]

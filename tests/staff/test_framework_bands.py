"""The bands section of the framework editor: a draft's bands typed as
``label;lower bound``, a scheme reused or created for them, never a shared
scheme changed, every bad line named, and who may do it."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import translation

from scoring import services
from scoring.models import DEFAULT_BAND_SCHEME, BandScheme, Framework, Revision
from staff.forms import bands_from_text
from staff.models import StaffRole
from tests.factories import UnitFactory, make_framework, score
from tests.staff.conftest import edit_url, user_with
from units.models import Unit

pytestmark = pytest.mark.django_db

NATIONAL_BANDS = "A;90\nB;80\nC;70"
WITH_D = "A;90\nB;80\nC;70\nD;0"


@pytest.fixture
def province():
    return UnitFactory(code="70", name="Tỉnh Bình Phước", short_name="Bình Phước", kind=Unit.Kind.PROVINCE)


@pytest.fixture
def districts(province):
    return [UnitFactory(code=code, parent=province) for code in ("689", "690", "691")]


@pytest.fixture
def framework(districts):
    """One criterion of 100 points, so the index is the points: 95, 85 and 70.56."""
    framework = make_framework(units=districts, rows=(("1", "100"),))
    services.scores_set(
        framework=framework,
        entries=[score(unit, "1", points) for unit, points in zip(districts, ("95", "85", "70.56"), strict=True)],
    )
    return framework


def bands_of(framework) -> dict[str, str]:
    return dict(framework.results.values_list("unit__code", "band"))


def scheme_bands(scheme) -> list[tuple[str, Decimal]]:
    return list(scheme.bands.values_list("label", "lower_bound"))


def save(client, framework, text):
    return client.post(edit_url(framework), {"part": "bands", "bands_text": text})


def vi(msgid: str, **values) -> str:
    """A message as the (Vietnamese) staff pages show it, whether or not it is translated yet."""
    with translation.override("vi"):
        return translation.gettext(msgid) % values if values else translation.gettext(msgid)


def messages_of(response) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(response.wsgi_request)]


# --- saving bands -------------------------------------------------------------


def test_the_edit_page_shows_the_bands_and_prefills_them(editor, framework):
    page = editor.get(edit_url(framework)).content.decode()
    assert "Xuất sắc ≥ 90" in page
    assert "Yếu;0" in page
    assert "Xuất sắc;90\nTốt;80\nKhá;70\nTrung bình;50\nYếu;0" in page


def test_saved_bands_band_the_results(editor, framework):
    assert bands_of(framework) == {"689": "Xuất sắc", "690": "Tốt", "691": "Khá"}  # 70.56 is "Khá" (seed)
    response = save(editor, framework, "A;90\nB;80\nC;70\nD;0")
    assert response.status_code == 302
    framework.refresh_from_db()
    message = "Bands saved (band scheme %(scheme)s); the results are recomputed."
    assert messages_of(response) == [("success", vi(message, scheme=framework.band_scheme.name))]
    assert bands_of(framework) == {"689": "A", "690": "B", "691": "C"}
    assert scheme_bands(framework.band_scheme) == [
        ("A", Decimal("90.00")),
        ("B", Decimal("80.00")),
        ("C", Decimal("70.00")),
        ("D", Decimal("0.00")),
    ]
    assert framework.band_scheme.name == "cchc-2022-70-district (A, B, C, D)"
    assert Revision.objects.filter(framework=framework, reason=vi("bands changed")).count() == 1


def test_decimal_commas_tabs_and_any_order_are_read(editor, framework):
    assert save(editor, framework, "Thấp;0\r\n\r\nCao\t70,56\nGiữa;70,5").status_code == 302
    framework.refresh_from_db()
    assert scheme_bands(framework.band_scheme) == [
        ("Cao", Decimal("70.56")),
        ("Giữa", Decimal("70.50")),
        ("Thấp", Decimal("0.00")),
    ]
    assert bands_of(framework) == {"689": "Cao", "690": "Cao", "691": "Cao"}


def test_a_shared_scheme_is_never_changed(editor, framework, districts):
    default = BandScheme.objects.get(name=DEFAULT_BAND_SCHEME)
    before = scheme_bands(default)
    other = make_framework(year=2023, units=districts[:1])
    services.scores_set(framework=other, entries=[score(districts[0], "1", "75")])
    assert save(editor, framework, WITH_D).status_code == 302
    framework.refresh_from_db()
    other.refresh_from_db()
    assert framework.band_scheme != default
    assert scheme_bands(default) == before
    assert other.band_scheme == default
    assert bands_of(other) == {"689": "Khá"}


def test_identical_bands_reuse_the_scheme(editor, framework, districts):
    national = BandScheme.objects.get(name="Quốc gia (A, B, C)")
    schemes = BandScheme.objects.count()
    response = save(editor, framework, "C;70\nB;80\nA;90,00")
    framework.refresh_from_db()
    assert framework.band_scheme == national
    assert BandScheme.objects.count() == schemes
    assert messages_of(response)[1] == ("warning", vi("An index below %(bound)s gets no band.", bound="70,00"))

    other = make_framework(year=2023, units=districts)
    assert save(editor, other, WITH_D).status_code == 302
    assert save(editor, framework, WITH_D).status_code == 302
    framework.refresh_from_db()
    other.refresh_from_db()
    assert framework.band_scheme == other.band_scheme
    assert BandScheme.objects.count() == schemes + 1


def test_the_same_bands_again_change_nothing(editor, framework):
    save(editor, framework, WITH_D)
    revisions = Revision.objects.count()
    response = save(editor, framework, WITH_D)
    assert messages_of(response)[-1] == ("info", vi("Nothing changed."))  # after the first save's
    assert Revision.objects.count() == revisions


def test_without_a_zero_bound_an_index_below_every_bound_gets_no_band(editor, framework):
    # engine.band_for gives "" below every bound: the national scheme A, B, C relies on it.
    assert save(editor, framework, "A;90\nB;80").status_code == 302
    assert bands_of(framework) == {"689": "A", "690": "B", "691": ""}


def test_the_frameworks_own_scheme_left_unused_is_deleted_and_a_shared_one_kept(editor, framework, districts):
    save(editor, framework, WITH_D)
    framework.refresh_from_db()
    first = framework.band_scheme
    save(editor, framework, "A;95\nB;0")
    assert not BandScheme.objects.filter(pk=first.pk).exists()

    framework.refresh_from_db()
    second = framework.band_scheme
    copy = services.framework_copy(source=framework, year=2023)
    assert copy.band_scheme == second
    save(editor, framework, WITH_D)
    assert scheme_bands(BandScheme.objects.get(pk=second.pk)) == [("A", Decimal("95.00")), ("B", Decimal("0.00"))]


def test_a_taken_name_gets_a_number(editor, framework):
    BandScheme.objects.create(name="cchc-2022-70-district (A, B, C, D)")
    save(editor, framework, WITH_D)
    framework.refresh_from_db()
    assert framework.band_scheme.name == "cchc-2022-70-district (A, B, C, D) 2"


def test_a_long_name_is_cut_to_the_fields_length(editor, framework):
    labels = [f"Hạng số {number:02}" for number in range(12)]
    save(editor, framework, "\n".join(f"{label};{90 - number}" for number, label in enumerate(labels)))
    framework.refresh_from_db()
    name = framework.band_scheme.name
    assert len(name) == BandScheme._meta.get_field("name").max_length
    assert name.startswith("cchc-2022-70-district (Hạng số 00, ") and name.endswith("…)")


# --- bad bands --------------------------------------------------------------------


def test_every_bad_line_is_named_and_nothing_changes(editor, framework):
    before = framework.band_scheme
    text = "A;90\nB;90\nC;101\nD;abc\nA;50\nE\n;40\nF;-1\nG;10,555"
    response = save(editor, framework, text)
    assert response.status_code == 400
    errors = response.context["bands_form"].errors["bands_text"]
    bound = {line: vi("line %(line)s: lower bound", line=line) for line in (3, 4, 8, 9)}
    assert errors == [
        vi("line %(line)s: the lower bound %(value)s is also on line %(first)s", line=2, value="90", first=1),
        vi("%(label)s %(value)s: above the maximum %(max)s", label=bound[3], value="101", max="100,00"),
        vi("%(label)s %(value)s: not a number", label=bound[4], value="abc"),
        vi("line %(line)s: the label %(label)s is also on line %(first)s", line=5, label="A", first=1),
        vi("line %(line)s: write label;lower bound", line=6),
        vi("line %(line)s: the label is empty", line=7),
        vi("%(label)s %(value)s: negative", label=bound[8], value="-1"),
        vi("%(label)s %(value)s: more than 2 decimal places", label=bound[9], value="10,555"),
    ]
    framework.refresh_from_db()
    assert framework.band_scheme == before
    assert bands_of(framework) == {"689": "Xuất sắc", "690": "Tốt", "691": "Khá"}


def test_no_band_at_all_is_refused(editor, framework):
    response = save(editor, framework, " \n")
    assert response.status_code == 400
    assert response.context["bands_form"].errors["bands_text"]


def test_the_parser_takes_equal_bounds_written_differently_as_one():
    with translation.override("en"):
        bands, errors = bands_from_text("A;90\nB;90,00")
    assert bands == [("A", Decimal("90"))]
    assert errors == ["line 2: the lower bound 90,00 is also on line 1"]


@translation.override("en")
def test_the_service_refuses_bad_bands_by_itself(framework):
    with pytest.raises(services.ScoringInputError) as raised:
        services.framework_bands_set(
            framework=framework, bands=[("A", Decimal("90")), ("A", Decimal("80")), ("", Decimal("200"))]
        )
    assert raised.value.messages == [
        "a band has no label",
        "band : lower bound 200: above the maximum 100.00",
        "two bands are labelled A",
    ]
    with pytest.raises(services.ScoringInputError):
        services.framework_bands_set(framework=framework, bands=[("A", Decimal("90")), ("B", Decimal("90.00"))])
    with pytest.raises(services.ScoringInputError):
        services.framework_bands_set(framework=framework, bands=[])


# --- who may do it ------------------------------------------------------------


def test_another_provinces_editor_gets_404(client, framework):
    other = UnitFactory(code="06", name="Tỉnh Bắc Kạn", kind=Unit.Kind.PROVINCE)
    client.force_login(user_with(StaffRole.Role.PROVINCE_EDITOR, other))
    assert save(client, framework, WITH_D).status_code == 404
    assert bands_of(framework) == {"689": "Xuất sắc", "690": "Tốt", "691": "Khá"}


def test_a_reviewer_gets_403(client, framework, province):
    client.force_login(user_with(StaffRole.Role.REVIEWER, province))
    assert save(client, framework, WITH_D).status_code == 403
    framework.refresh_from_db()
    assert framework.band_scheme.name == DEFAULT_BAND_SCHEME


def test_a_framework_in_review_gets_403(editor, framework):
    Framework.objects.filter(pk=framework.pk).update(in_review=True)
    assert save(editor, framework, WITH_D).status_code == 403
    framework.refresh_from_db()
    assert framework.band_scheme.name == DEFAULT_BAND_SCHEME

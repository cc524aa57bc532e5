"""The scenario schema: one validated part per historical phase, composed into a Scenario.

Every field is declared with :func:`kabulsim.scenario.params.param`, so it carries units, a
default (the historical baseline), a plausible range and a source. Unknown keys are errors,
and model code never supplies a default of its own: what the model reads is what is here.

Dates are timezone-aware; a date written without an offset is read as Kabul local time
(UTC+04:30).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kabulsim.scenario.params import param
from kabulsim.timebase import KABUL

Q_BACKGROUND_STRENGTH = (
    '"Their fighters consisted of between 25,000 and 30,000 fighters, and were supported by other'
    " groups including between 2000 and 3000 Arab fighters in Osama bin Laden's 055 Brigade.\""
)
Q_BOMBING = (
    '"On 7 October, after the Taliban refused to hand over bin Laden because of lack of'
    ' evidence, the United States began their bombing campaign"'
)
Q_WEAKENED = (
    '"Taliban and al-Qaeda forces that were heavily weakened by American and British air strikes"'
)
Q_SHAMALI = (
    '"with the Taliban demoralized by the fall of the northern cities, under constant attack by'
    " American air support, and fearing encirclement, they fell back to Kabul following just"
    ' three hours of fighting"'
)
Q_STALEMATE = '"For two years during the Afghan Civil War the frontline had been stalemated here"'
Q_EVACUATION = (
    '"the Taliban forces in Kabul evacuated the city, emptying the national treasury but in'
    ' their haste leaving behind weapons and other possessions"'
)
Q_RETREAT = (
    '"surviving members of the Taliban and al-Qaeda, including Osama bin Laden, retreated toward'
    ' Kandahar, the spiritual birthplace and home of the Taliban movement, and Tora Bora"'
)
Q_INVEST = (
    '"the foreign governments would prefer the alliance invest the city and not seize it, in'
    ' order to improve the ability to form a broad and successful post-war government"'
)
Q_HOLD = (
    '"Initially, the alliance held back from the city, with security guards being seen holding'
    " back armour and truckloads of infantry, but this pause was short-lived, and the alliance"
    ' proved unable or unwilling to prevent their forces from entering the city."'
)
Q_TIP = (
    '"a tip reached CIA headquarters about an al-Qaeda convoy in the city, carrying a possible'
    ' \\"high-value target.\\""'
)
Q_DRONE = (
    '"A CIA-operated drone tracked the convoy in the upscale Kabul neighborhood of Wazir Akbar'
    ' Khan."'
)
Q_VENGEANCE = (
    '"many Taliban fighters, particularly foreign fighters from the Arabian Peninsula and'
    " Pakistan, being lynched and left in ditches while others were beaten with rifles and fists"
    ' after their capture"'
)
Q_MINORITY = (
    '"The alliance primarily consisted of minority ethnic groups within Afghanistan; Uzbeks,'
    " Tajiks, and Hazaras, while the Taliban was dominated by the majority ethnic group, the"
    ' Pashtuns"'
)
Q_ODA = '"the Northern Alliance forces (supported by Operational Detachment Alpha 555 of the U.S. Army Special Forces)"'  # noqa: E501
REF_LAMBETH = (
    "B. S. Lambeth, Air Power Against Terror (RAND MG-166, 2005): strike sorties in the order of"
    " 50-100 a day over October-November 2001; figure approximate"
)
REF_BRISCOE = (
    "C. H. Briscoe et al., Weapon of Choice: ARSOF in Afghanistan (Combat Studies Institute,"
    " 2003): ODA 555 inserted into the Panjshir about 19-20 Oct 2001, ODA 595 joined Dostum"
    " south of Mazar-i-Sharif on 19 Oct 2001"
)
REF_FACTBOOK = (
    "CIA World Factbook 2001, Afghanistan: Pashtun 38%, Tajik 25%, Hazara 19%, Uzbek 6%, others 12%"
)
REF_CONETTA = (
    "C. Conetta, Operation Enduring Freedom: Why a Higher Rate of Civilian Bombing Casualties"
    " (Project on Defense Alternatives, 2002): about 1,000-1,300 civilian deaths from bombing,"
    " 7 Oct 2001 - 1 Jan 2002; divided by the order of 6,000 strike sorties"
)
CDB90 = "CDB90 tidy edition, J. B. Arnold, ODC-BY (see kabulsim/data/cdb90_calibration.json): "


def _aware(value: datetime) -> datetime:
    """Read a date without an offset as Kabul local time."""
    if value.tzinfo is None:
        return value.replace(tzinfo=KABUL)
    return value


LocalDatetime = Annotated[datetime, AfterValidator(_aware)]


class _Part(BaseModel):
    """Base of every schema part: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse ``true``/``false`` where a number is expected (pydantic would read 1/0)."""
        if isinstance(value, bool) and info.field_name is not None:
            annotation = cls.model_fields[info.field_name].annotation
            if annotation in (int, float):
                kind = "a whole number" if annotation is int else "a number"
                raise ValueError(f"expected {kind}, got {str(value).lower()}")
        return value


class Forces(_Part):
    """Initial strengths on both sides."""

    taliban_national: int = param(
        27_500,
        units="fighters",
        ge=1,
        plausible=(25_000, 30_000),
        kind="source",
        source=Q_BACKGROUND_STRENGTH + " (midpoint)",
        description="Taliban fighters nationally at the start.",
    )
    brigade_055: int = param(
        2_500,
        units="fighters",
        ge=0,
        plausible=(2_000, 3_000),
        kind="source",
        source=Q_BACKGROUND_STRENGTH + " (midpoint)",
        description="Foreign (Arab) fighters of the 055 Brigade, part of the national total.",
    )
    taliban_shamali: int = param(
        5_000,
        units="fighters",
        ge=0,
        plausible=(2_500, 10_000),
        kind="assumption",
        source="assumption: the source gives no figure for the front north of Kabul; a few"
        " thousand is the order reported in contemporary press",
        description="Taliban fighters holding the Shamali Plain front north of Kabul.",
    )
    taliban_kabul: int = param(
        3_000,
        units="fighters",
        ge=0,
        plausible=(1_000, 6_000),
        kind="assumption",
        source="assumption: garrison and rear units in the city; the source gives no figure",
        description="Taliban fighters in Kabul itself (garrison, rear services, guards).",
    )
    taliban_north: int = param(
        5_000,
        units="fighters",
        ge=0,
        plausible=(2_000, 10_000),
        kind="assumption",
        source="assumption: the source gives no figure for the Mazar-i-Sharif region",
        description="Taliban fighters holding Mazar-i-Sharif and its approaches.",
    )
    foreign_share: float = param(
        0.2,
        units="share",
        ge=0,
        le=1,
        plausible=(0.1, 0.4),
        kind="assumption",
        source="assumption: the 055 Brigade and Pakistani volunteers were concentrated on the"
        " northern fronts and around Kabul; about one fighter in five",
        description="Share of foreign fighters among the Taliban at Shamali and in Kabul.",
    )
    alliance_shamali: int = param(
        10_000,
        units="fighters",
        ge=1,
        plausible=(5_000, 15_000),
        kind="assumption",
        source="assumption: the order of the alliance force under Bismillah Khan on the Shamali"
        " front; the source gives no figure",
        description="Northern Alliance fighters facing the Shamali front (at least one: an"
        " alliance without fighters cannot take the city).",
    )

    @model_validator(mode="after")
    def _parts_fit_the_whole(self) -> Forces:
        held = self.taliban_shamali + self.taliban_kabul + self.taliban_north
        if held > self.taliban_national:
            raise ValueError(
                f"taliban_shamali + taliban_kabul + taliban_north = {held} exceeds"
                f" taliban_national = {self.taliban_national}"
            )
        if self.brigade_055 > self.taliban_national:
            raise ValueError("brigade_055 cannot exceed taliban_national")
        return self


class SortiePeriod(_Part):
    """Strike sorties per day from a date on, and where they are aimed."""

    start: LocalDatetime = Field(description="First day of the period (local time).")
    strike_sorties_per_day: float = Field(
        ge=0, description="Strike sorties per day over all of Afghanistan (sorties/day)."
    )
    shamali_share: float = Field(
        ge=0, le=1, description="Share of strike sorties on the Shamali front (share)."
    )
    north_share: float = Field(
        ge=0, le=1, description="Share of strike sorties on the Mazar-i-Sharif front (share)."
    )

    @model_validator(mode="after")
    def _shares(self) -> SortiePeriod:
        if self.shamali_share + self.north_share > 1.0 + 1e-9:
            raise ValueError("shamali_share + north_share must not exceed 1")
        return self


_BASELINE_SORTIES = (
    SortiePeriod(
        start=datetime(2001, 10, 7, 21, 0, tzinfo=KABUL),
        strike_sorties_per_day=60.0,
        shamali_share=0.05,
        north_share=0.05,
    ),
    SortiePeriod(
        start=datetime(2001, 10, 21, 0, 0, tzinfo=KABUL),
        strike_sorties_per_day=90.0,
        shamali_share=0.25,
        north_share=0.35,
    ),
)


class Air(_Part):
    """The air campaign and the ground controllers who direct it."""

    bombing_start: LocalDatetime = param(
        datetime(2001, 10, 7, 21, 0, tzinfo=KABUL),
        units="local time",
        kind="exogenous",
        source=Q_BOMBING + "; the first strikes came after dark (about 21:00 local)",
        description="Start of the bombing campaign.",
    )
    sorties: tuple[SortiePeriod, ...] = param(
        _BASELINE_SORTIES,
        units="periods",
        kind="reference",
        source=REF_LAMBETH + "; the shift to front-line targets from about 21 Oct is an"
        " exogenous targeting decision",
        description="Strike sorties per day by period, with the shares aimed at each front.",
    )
    daily_variation: float = param(
        0.3,
        units="coefficient of variation",
        ge=0,
        le=2,
        plausible=(0.1, 0.6),
        kind="assumption",
        source="assumption: weather, tasking and target availability vary day to day",
        description="Day-to-day variation of the sortie rate (gamma-distributed multiplier).",
    )
    kills_per_sortie: float = param(
        0.4,
        units="fighters/sortie",
        ge=0,
        plausible=(0.1, 1.5),
        kind="assumption",
        source="assumption: strikes on dispersed, dug-in positions without a controller on the"
        " ground rarely hit troops",
        description="Fighters killed per strike sortie on a front without ground controllers.",
    )
    morale_per_sortie: float = param(
        0.00063,
        units="1/sortie",
        ge=0,
        plausible=(0.0003, 0.0015),
        kind="calibrated",
        source="calibrated: with the other defaults, the baseline's Shamali fight falls on 12"
        " Nov and Mazar-i-Sharif on about 9 Nov. " + Q_WEAKENED,
        description="Fractional loss of a front's morale per effective strike sortie.",
    )
    controller_multiplier: float = param(
        3.0,
        units="factor",
        ge=1,
        plausible=(1.5, 6.0),
        kind="assumption",
        source="assumption informed by " + REF_BRISCOE + ": controllers on the ground made close"
        " air support far more accurate",
        description="Multiplier on a sortie's effect (kills and morale) once controllers are on"
        " that front.",
    )
    controllers_shamali: LocalDatetime | None = param(
        datetime(2001, 10, 20, 12, 0, tzinfo=KABUL),
        units="local time",
        kind="reference",
        source=REF_BRISCOE + ". " + Q_ODA,
        description="Arrival of ground controllers (ODA 555) on the Shamali front; null: never.",
    )
    controllers_north: LocalDatetime | None = param(
        datetime(2001, 10, 19, 12, 0, tzinfo=KABUL),
        units="local time",
        kind="reference",
        source=REF_BRISCOE,
        description="Arrival of ground controllers (ODA 595) on the northern front; null: never.",
    )
    civilians_per_sortie: float = param(
        0.15,
        units="civilian deaths/sortie",
        ge=0,
        plausible=(0.05, 0.4),
        kind="reference",
        source=REF_CONETTA,
        description="Civilian deaths per strike sortie, on average over all targets.",
    )

    @model_validator(mode="after")
    def _periods_in_order(self) -> Air:
        starts = [p.start for p in self.sorties]
        if starts != sorted(starts):
            raise ValueError("sorties periods must be listed in order of their start dates")
        return self


class Morale(_Part):
    """How the Taliban front's morale moves between shocks."""

    recovery_per_day: float = param(
        0.01,
        units="1/day",
        ge=0,
        le=1,
        plausible=(0.0, 0.05),
        kind="assumption",
        source="assumption: on a static front, rotation and resupply restore morale slowly; "
        + Q_STALEMATE,
        description="Share of the gap to full morale (1) recovered each day.",
    )
    alliance_initial: float = param(
        0.8,
        units="morale (1 = typical)",
        ge=0.01,
        le=1,
        plausible=(0.5, 1.0),
        kind="assumption",
        source="assumption: the alliance had lost Massoud on 9 Sep and held a static front",
        description="Alliance morale on the Shamali front at the start.",
    )


class North(_Part):
    """The northern collapse: Mazar-i-Sharif and its shock on the Shamali front."""

    collapse_morale: float = param(
        0.35,
        units="morale (1 = typical)",
        gt=0,
        le=1,
        plausible=(0.2, 0.5),
        kind="calibrated",
        source="calibrated: the baseline's Mazar-i-Sharif falls about five days before Kabul"
        ' ("Coupled with the fall of Mazar-i-Sharif five days earlier")',
        description="The northern garrison gives way when its morale drops below this.",
    )
    fall_at: LocalDatetime | None = param(
        None,
        units="local time",
        kind="exogenous",
        source="exogenous override: when set, Mazar-i-Sharif falls at this time instead of by"
        " the simulated collapse",
        description="Exogenous date for the fall of Mazar-i-Sharif; null: simulated.",
    )
    shock: float = param(
        0.45,
        units="share",
        ge=0,
        le=1,
        plausible=(0.2, 0.7),
        kind="calibrated",
        source="calibrated to the 12 Nov date of the Shamali fight. " + Q_SHAMALI,
        description="Share of the Shamali Taliban's morale lost when Mazar-i-Sharif falls.",
    )
    encirclement_per_day: float = param(
        0.2,
        units="1/day",
        ge=0,
        le=1,
        plausible=(0.05, 0.4),
        kind="calibrated",
        source='calibrated to the 12 Nov date; "fearing encirclement" (source)',
        description="Daily fractional morale loss on the Shamali front after the northern"
        " collapse, from fear of encirclement.",
    )
    alliance_boost: float = param(
        0.15,
        units="morale",
        ge=0,
        le=1,
        plausible=(0.0, 0.3),
        kind="assumption",
        source="assumption: the fall of Mazar-i-Sharif heartened the alliance",
        description="Morale the alliance gains on the Shamali front when Mazar-i-Sharif falls.",
    )
    killed_share: float = param(
        0.1,
        units="share",
        ge=0,
        le=1,
        plausible=(0.05, 0.3),
        kind="assumption",
        source="assumption: most of the northern garrison withdrew, surrendered or changed sides",
        description="Share of the northern garrison killed in the collapse.",
    )
    defected_share: float = param(
        0.4,
        units="share",
        ge=0,
        le=1,
        plausible=(0.2, 0.6),
        kind="assumption",
        source="assumption: surrenders and changes of side were common in the northern collapse",
        description="Share of the northern garrison captured or changing sides in the collapse.",
    )

    @model_validator(mode="after")
    def _shares(self) -> North:
        if self.killed_share + self.defected_share > 1.0 + 1e-9:
            raise ValueError("killed_share + defected_share must not exceed 1")
        return self


class Shamali(_Part):
    """The alliance's assault on the Shamali front and the fight itself."""

    review_h: float = param(
        24.0,
        units="h",
        ge=0.5,
        cost="interval",
        plausible=(6.0, 48.0),
        kind="assumption",
        source="assumption: the alliance commander reviews the front once a day",
        description="Interval between the alliance commander's estimates of an assault's cost.",
    )
    acceptable_losses: float = param(
        10.0,
        units="fighters",
        ge=0,
        plausible=(5.0, 50.0),
        kind="calibrated",
        source="calibrated: with the other defaults the assault comes on 12 Nov; a commander"
        " who had held a line for two years attacks only when the estimated cost is low. "
        + Q_STALEMATE,
        description="The alliance attacks when its estimated losses in the assault fall below"
        " this.",
    )
    assault_hour: float = param(
        9.0,
        units="h (local hour of day)",
        ge=0,
        lt=24,
        plausible=(5.0, 12.0),
        kind="assumption",
        source="assumption: the commander's estimate and any assault come in the morning",
        description="Local hour of day of the commander's daily estimate and of assaults.",
    )
    fortification_factor: float = param(
        1.5,
        units="factor",
        ge=1,
        plausible=(1.0, 2.0),
        kind="reference",
        source="T. N. Dupuy, Numbers, Predictions and War (1979): posture factor of about 1.5"
        " for a prepared or fortified defence. " + Q_STALEMATE,
        description="Multiplier on the Taliban kill rate for two years of prepared positions.",
    )
    killed_per_casualty: float = param(
        0.25,
        units="share",
        ge=0,
        le=1,
        plausible=(0.15, 0.4),
        kind="reference",
        source="T. N. Dupuy, Attrition (1990): about one casualty in four is killed; CDB90 counts"
        " casualties (killed, wounded, missing)",
        description="Share of battle casualties who are killed; the rest are wounded.",
    )
    forced_assault_at: LocalDatetime | None = param(
        None,
        units="local time",
        kind="exogenous",
        source="exogenous override for counterfactuals: an assault ordered on this date whatever"
        " the estimate",
        description="Date of an assault ordered regardless of the commander's estimate; null:"
        " none.",
    )
    retry_h: float = param(
        72.0,
        units="h",
        ge=1,
        cost="interval",
        plausible=(24.0, 240.0),
        kind="assumption",
        source="assumption: after a repulse the alliance needs days to regroup",
        description="Time after a failed assault before the next estimate.",
    )
    law: Literal["square", "linear", "logarithmic", "helmbold"] = param(
        "square",
        units="law",
        kind="reference",
        source="F. W. Lanchester, Aircraft in Warfare (1916): aimed fire, square law",
        description="Attrition law used for the fight.",
    )
    alliance_kill_rate: float = param(
        0.00176,
        units="1/h (casualties per attacker-hour)",
        ge=0,
        plausible=(0.000628, 0.00438),
        kind="cdb90",
        source=CDB90 + "median attacker effectiveness (defender casualties per attacker-day),"
        " 250 20th-century battles, 0.0422 per day; plausible range: quartiles",
        description="Square-law kill rate of the alliance on the Taliban.",
    )
    taliban_kill_rate: float = param(
        0.0028,
        units="1/h (casualties per defender-hour at morale 1)",
        ge=0,
        plausible=(0.00134, 0.00712),
        kind="cdb90",
        source=CDB90 + "median defender effectiveness (attacker casualties per defender-day),"
        " 250 20th-century battles, 0.0673 per day; plausible range: quartiles",
        description="Square-law kill rate of the Taliban on the alliance at full morale; scaled"
        " by morale.",
    )
    taliban_breakpoint: float = param(
        0.112,
        units="share of strength lost",
        gt=0,
        le=1,
        plausible=(0.056, 0.273),
        kind="cdb90",
        source=CDB90 + "median casualty share of 20th-century defenders who withdrew (WD or"
        " WL), 129 battles; plausible range: quartiles",
        description="Casualty share at which a defender at morale 1 withdraws; scaled by morale.",
    )
    alliance_breakpoint: float = param(
        0.0438,
        units="share of strength lost",
        gt=0,
        le=1,
        plausible=(0.0221, 0.102),
        kind="cdb90",
        source=CDB90 + "median casualty share of 20th-century attackers who failed (repulsed or"
        " withdrew, not winning), 82 battles",
        description="Casualty share at which the attacking alliance breaks off.",
    )
    cas_sorties_per_h: float = param(
        4.0,
        units="sorties/h",
        ge=0,
        plausible=(0.0, 8.0),
        kind="assumption",
        source="assumption: close air support during the fight. " + Q_SHAMALI,
        description="Close-air-support sorties per hour over the fight (before the controller"
        " multiplier).",
    )
    step_min: float = param(
        1.0,
        units="min",
        ge=0.1,
        le=60,
        cost="interval",
        plausible=(0.5, 5.0),
        kind="assumption",
        source="assumption: minute steps resolve a fight of a few hours",
        description="Time step of the attrition engine in the fight.",
    )
    max_h: float = param(
        48.0,
        units="h",
        gt=0,
        le=240,
        cost="count",
        plausible=(12.0, 96.0),
        kind="assumption",
        source="assumption: a fight not decided in two days is broken off",
        description="Longest a single assault lasts.",
    )
    fall_back_share: float = param(
        0.8,
        units="share",
        ge=0,
        le=1,
        plausible=(0.5, 1.0),
        kind="assumption",
        source="assumption: most of the beaten front fell back on Kabul; the rest scattered or"
        ' changed sides. "they fell back to Kabul"',
        description="Share of the front's survivors who fall back to Kabul after a break.",
    )


class Withdrawal(_Part):
    """The Taliban's decision to leave Kabul, and the evacuation."""

    policy: Literal["evacuate", "defend"] = param(
        "evacuate",
        units="choice",
        kind="source",
        source=Q_EVACUATION,
        description="What the Taliban do when the front breaks: evacuate Kabul or defend it.",
    )
    trigger: Literal["front_broken", "north_collapse"] = param(
        "front_broken",
        units="choice",
        kind="source",
        source=Q_EVACUATION,
        description="The event that starts the evacuation decision.",
    )
    decision_h: float = param(
        3.0,
        units="h (median)",
        gt=0,
        plausible=(1.0, 12.0),
        kind="assumption",
        source="assumption: the leadership decided within hours. " + Q_EVACUATION,
        description="Median delay from the trigger to the decision to evacuate (lognormal).",
    )
    evacuation_h: float = param(
        8.0,
        units="h (median)",
        gt=0,
        plausible=(4.0, 24.0),
        kind="assumption",
        source="assumption: the city was emptied overnight. " + Q_EVACUATION,
        description="Median time to move the fighters out of the city (lognormal).",
    )
    spread: float = param(
        0.4,
        units="lognormal sigma",
        ge=0,
        le=2,
        plausible=(0.2, 0.8),
        kind="assumption",
        source="assumption: delays known to within a factor of about 1.5",
        description="Spread of the decision and evacuation times.",
    )
    kandahar_share_afghan: float = param(
        0.85,
        units="share",
        ge=0,
        le=1,
        plausible=(0.6, 0.95),
        kind="source",
        source='"Taliban forces retreated to Kandahar in the south." ' + Q_RETREAT,
        description="Share of withdrawing Afghan Taliban who take the Kandahar route.",
    )
    tora_bora_share_foreign: float = param(
        0.7,
        units="share",
        ge=0,
        le=1,
        plausible=(0.4, 0.9),
        kind="source",
        source=Q_RETREAT + "; assumption that most foreign fighters went east",
        description="Share of withdrawing foreign fighters who take the Tora Bora route.",
    )
    straggler_share_foreign: float = param(
        0.08,
        units="share",
        ge=0,
        le=1,
        plausible=(0.02, 0.2),
        kind="assumption",
        source="assumption: foreign fighters without local ties were more often cut off. "
        + Q_VENGEANCE,
        description="Share of foreign fighters in the city left behind by the evacuation.",
    )
    straggler_share_afghan: float = param(
        0.01,
        units="share",
        ge=0,
        le=1,
        plausible=(0.0, 0.05),
        kind="assumption",
        source="assumption: Afghan fighters left behind mostly went home or changed sides",
        description="Share of Afghan Taliban in the city left behind by the evacuation.",
    )
    treasury_h: float = param(
        2.0,
        units="h",
        gt=0,
        plausible=(0.5, 8.0),
        kind="assumption",
        source="assumption. " + Q_EVACUATION,
        description="Time needed to empty the national treasury once the decision is taken.",
    )
    heavy_weapons_h: float = param(
        48.0,
        units="h",
        gt=0,
        plausible=(24.0, 96.0),
        kind="assumption",
        source="assumption: moving all heavy weapons and stores would take two days. "
        + Q_EVACUATION,
        description="Time needed to move all heavy weapons; the share left is 1 - evacuation"
        " time / this.",
    )


class Ethnic(_Part):
    """Shares of Afghanistan's main groups, in the population or in a force."""

    pashtun: float = Field(ge=0, le=1, description="Pashtun share (share).")
    tajik: float = Field(ge=0, le=1, description="Tajik share (share).")
    hazara: float = Field(ge=0, le=1, description="Hazara share (share).")
    uzbek: float = Field(ge=0, le=1, description="Uzbek share (share).")
    other: float = Field(ge=0, le=1, description="Other groups' share (share).")

    @model_validator(mode="after")
    def _sums_to_one(self) -> Ethnic:
        total = self.pashtun + self.tajik + self.hazara + self.uzbek + self.other
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"shares must sum to 1 (they sum to {total:.4f})")
        return self

    def as_tuple(self) -> tuple[float, float, float, float, float]:
        """Return the shares in the order pashtun, tajik, hazara, uzbek, other."""
        return (self.pashtun, self.tajik, self.hazara, self.uzbek, self.other)


class Alliance(_Part):
    """The alliance's hold-or-enter decision, the entry, and who controls the city."""

    advance_h: float = param(
        12.0,
        units="h (median)",
        gt=0,
        plausible=(4.0, 24.0),
        kind="assumption",
        source="assumption: from the Shamali line to the edge of Kabul is a day's march or less."
        ' "opening the road to the city"',
        description="Median time from the front's break to alliance units at the city's edge"
        " (lognormal).",
    )
    advance_spread: float = param(
        0.3,
        units="lognormal sigma",
        ge=0,
        le=2,
        plausible=(0.1, 0.6),
        kind="assumption",
        source="assumption: the advance time is known to within a factor of about 1.35",
        description="Spread of the advance time.",
    )
    pressure: float = param(
        0.7,
        units="share",
        ge=0,
        le=1,
        plausible=(0.3, 0.95),
        kind="source",
        source=Q_INVEST,
        description="Strength of foreign political pressure not to seize the city (0 none, 1"
        " total).",
    )
    hold_back_h: float = param(
        72.0,
        units="h",
        ge=0,
        plausible=(0.0, 336.0),
        kind="source",
        source=Q_HOLD + " The declared length is an assumption.",
        description="Length of the declared hold-back at the city's edge; 0: no hold-back.",
    )
    indiscipline_per_h: float = param(
        0.2,
        units="1/h",
        ge=0,
        plausible=(0.02, 1.0),
        kind="calibrated",
        source="calibrated: the baseline's pause is short-lived and the entry comes on 13 Nov. "
        + Q_HOLD,
        description="Hazard that units enter despite orders, before pressure; the effective"
        " hazard is this times (1 - pressure), times open_city_factor once the city is empty.",
    )
    open_city_factor: float = param(
        4.0,
        units="factor",
        ge=1,
        plausible=(1.0, 8.0),
        kind="assumption",
        source="assumption: an empty city invites units in",
        description="Multiplier on the indiscipline hazard once the Taliban have left.",
    )
    composition: Ethnic = param(
        Ethnic(pashtun=0.0, tajik=0.75, hazara=0.15, uzbek=0.10, other=0.0),
        units="shares",
        kind="source",
        source=Q_MINORITY + "; the shares among the forces at Kabul are an assumption",
        description="Ethnic composition of the alliance force that would enter Kabul.",
    )
    broad_force_h: float = param(
        480.0,
        units="h",
        gt=0,
        plausible=(168.0, 1000.0),
        kind="assumption",
        source="assumption: a broad arrangement took weeks (the Bonn conference met 27 Nov -"
        " 5 Dec 2001). " + Q_INVEST,
        description="Time for a broad-based force to assemble fully while the alliance holds"
        " back; it grows linearly until then.",
    )
    broad_force_ratio: float = param(
        1.0,
        units="ratio",
        ge=0,
        plausible=(0.3, 2.0),
        kind="assumption",
        source="assumption: a fully assembled broad force matches the alliance's contingent",
        description="Size of a fully assembled broad force relative to the alliance contingent.",
    )
    broad_composition: Ethnic = param(
        Ethnic(pashtun=0.6, tajik=0.1, hazara=0.1, uzbek=0.1, other=0.1),
        units="shares",
        kind="assumption",
        source="assumption: a broad force would draw mainly on Pashtun groups",
        description="Ethnic composition of the broad-based force.",
    )
    population: Ethnic = param(
        Ethnic(pashtun=0.38, tajik=0.25, hazara=0.19, uzbek=0.06, other=0.12),
        units="shares",
        kind="reference",
        source=REF_FACTBOOK,
        description="Ethnic shares of the population, for the control-breadth indicator.",
    )
    urban_defence_factor: float = param(
        2.0,
        units="factor",
        ge=1,
        plausible=(1.0, 4.0),
        kind="assumption",
        source="assumption: defenders in a city inflict losses at a higher rate",
        description="Multiplier on the Taliban kill rate when fighting inside Kabul.",
    )
    city_breakpoint_factor: float = param(
        3.0,
        units="factor",
        ge=1,
        plausible=(1.0, 5.0),
        kind="assumption",
        source="assumption: a force that chose to defend its capital holds longer",
        description="Multiplier on the Taliban breakpoint when they defend Kabul.",
    )
    civilians_per_fighter_killed: float = param(
        1.0,
        units="civilians/fighter",
        ge=0,
        plausible=(0.3, 3.0),
        kind="assumption",
        source="assumption: fighting in a populated city kills civilians at a comparable rate",
        description="Civilian deaths per fighter killed in fighting inside the city.",
    )


class HighValueTarget(_Part):
    """The tip, the tracking and the strike on Mohammed Atef's convoy."""

    present: bool = param(
        True,
        units="flag",
        kind="source",
        source=Q_TIP,
        description="Whether Atef's convoy is in Kabul when control collapses.",
    )
    tip_per_h: float = param(
        0.04,
        units="1/h",
        ge=0,
        plausible=(0.0, 0.2),
        kind="assumption",
        source="assumption: tips arrive while Taliban control is collapsing. " + Q_TIP,
        description="Rate of tips about the convoy from the front's break until it leaves.",
    )
    departure_h: float = param(
        60.0,
        units="h (median)",
        gt=0,
        plausible=(24.0, 120.0),
        kind="assumption",
        source="assumption: the al-Qaeda leadership left the Kabul area days after the front"
        " broke; Atef was reported killed in mid-November",
        description="Median time from the front's break until the convoy has left the Kabul"
        " area (lognormal).",
    )
    departure_spread: float = param(
        0.4,
        units="lognormal sigma",
        ge=0,
        le=2,
        plausible=(0.2, 0.8),
        kind="assumption",
        source="assumption: the departure time is known to within a factor of about 1.5",
        description="Spread of the convoy's departure time.",
    )
    track_p: float = param(
        0.7,
        units="probability",
        ge=0,
        le=1,
        plausible=(0.3, 0.95),
        kind="assumption",
        source="assumption: a drone is available and finds the convoy. " + Q_DRONE,
        description="Probability a tip leads to the convoy being tracked.",
    )
    track_h: float = param(
        3.0,
        units="h (median)",
        gt=0,
        plausible=(1.0, 12.0),
        kind="assumption",
        source="assumption. " + Q_DRONE,
        description="Median time from a tip to a strike opportunity (lognormal).",
    )
    track_spread: float = param(
        0.5,
        units="lognormal sigma",
        ge=0,
        le=2,
        plausible=(0.2, 1.0),
        kind="assumption",
        source="assumption: tracking takes from about one to several hours",
        description="Spread of the time from a tip to a strike opportunity.",
    )
    strike_p: float = param(
        0.8,
        units="probability",
        ge=0,
        le=1,
        plausible=(0.5, 0.95),
        kind="assumption",
        source='assumption. "An airstrike was carried out, killing Atef"',
        description="Probability a strike on the tracked convoy kills the target.",
    )


class Aftermath(_Part):
    """The security vacuum, vengeance, and disorder after the Taliban leave."""

    find_per_h_vacuum: float = param(
        0.02,
        units="1/h",
        ge=0,
        plausible=(0.005, 0.08),
        kind="assumption",
        source="assumption. " + Q_VENGEANCE,
        description="Hazard per straggler of being found by inhabitants while no force controls"
        " the city.",
    )
    find_per_h_controlled: float = param(
        0.004,
        units="1/h",
        ge=0,
        plausible=(0.0, 0.02),
        kind="assumption",
        source="assumption: once a force holds the city, reprisals continue at a lower rate",
        description="Hazard per straggler of being found after a force takes control.",
    )
    capture_per_h: float = param(
        0.02,
        units="1/h",
        ge=0,
        plausible=(0.005, 0.08),
        kind="assumption",
        source="assumption: a force in control rounds up stragglers, taking them out of reach of"
        " reprisals",
        description="Hazard per straggler of being taken prisoner by the force holding the city.",
    )
    lynch_share_vacuum: float = param(
        0.6,
        units="share",
        ge=0,
        le=1,
        plausible=(0.3, 0.9),
        kind="source",
        source=Q_VENGEANCE + "; the share killed is an assumption",
        description="Share of vengeance incidents in which the straggler is killed, while no"
        " force controls the city.",
    )
    lynch_share_controlled: float = param(
        0.3,
        units="share",
        ge=0,
        le=1,
        plausible=(0.1, 0.6),
        kind="assumption",
        source="assumption: a force in control sometimes intervenes. " + Q_VENGEANCE,
        description="Share of vengeance incidents in which the straggler is killed, once a"
        " force controls the city.",
    )
    disorder_civilians_per_h: float = param(
        0.1,
        units="civilian deaths/h",
        ge=0,
        plausible=(0.0, 0.5),
        kind="assumption",
        source="assumption: looting and score-settling while no force controls the city",
        description="Civilian deaths per hour of security vacuum.",
    )


class Scenario(_Part):
    """A complete, validated kabulsim scenario."""

    name: str = param(
        "baseline",
        units="text",
        kind="assumption",
        source="label",
        description="Short name of the scenario.",
    )
    description: str = param(
        "",
        units="text",
        kind="assumption",
        source="label",
        description="What the scenario represents.",
    )
    start: LocalDatetime = param(
        datetime(2001, 10, 7, 0, 0, tzinfo=KABUL),
        units="local time",
        kind="exogenous",
        source="the clock starts on the day the bombing began. " + Q_BOMBING,
        description="Start of the simulation clock.",
    )
    horizon_days: float = param(
        60.0,
        units="days",
        gt=0,
        le=366,
        cost="count",
        plausible=(40.0, 120.0),
        kind="assumption",
        source="assumption: long enough to see the aftermath of a mid-November fall",
        description="Length of the simulated period.",
    )
    series_step_h: float = param(
        6.0,
        units="h",
        ge=1,
        cost="interval",
        plausible=(1.0, 24.0),
        kind="assumption",
        source="assumption: four samples a day resolve the campaign for plots",
        description="Interval at which the state time series is sampled.",
    )
    forces: Forces = Field(default_factory=Forces, description="Initial strengths.")
    air: Air = Field(default_factory=Air, description="The air campaign.")
    morale: Morale = Field(default_factory=Morale, description="Morale dynamics.")
    north: North = Field(default_factory=North, description="The northern collapse.")
    shamali: Shamali = Field(default_factory=Shamali, description="The Shamali Plain fight.")
    withdrawal: Withdrawal = Field(default_factory=Withdrawal, description="The withdrawal.")
    alliance: Alliance = Field(default_factory=Alliance, description="Hold or enter.")
    hvt: HighValueTarget = Field(
        default_factory=HighValueTarget, description="The strike on Atef's convoy."
    )
    aftermath: Aftermath = Field(default_factory=Aftermath, description="The aftermath.")

    @model_validator(mode="after")
    def _dates_in_horizon(self) -> Scenario:
        from kabulsim.timebase import to_hours

        horizon_h = self.horizon_days * 24.0
        dated = {
            "air.bombing_start": self.air.bombing_start,
            "air.controllers_shamali": self.air.controllers_shamali,
            "air.controllers_north": self.air.controllers_north,
            "north.fall_at": self.north.fall_at,
            "shamali.forced_assault_at": self.shamali.forced_assault_at,
        }
        for i, period in enumerate(self.air.sorties):
            dated[f"air.sorties.{i}.start"] = period.start
        for key, when in dated.items():
            if when is None:
                continue
            h = to_hours(self.start, when)
            if not 0.0 <= h <= horizon_h:
                raise ValueError(
                    f"{key} = {when.isoformat()} lies outside the simulated period"
                    f" ({self.start.isoformat()} + {self.horizon_days:g} days)"
                )
        return self

"""The scenario schema: one validated part per historical phase, composed into a Scenario.

Every field is declared with :func:`kabulsim.scenario.params.param`, so it carries units, a
default (the historical baseline), a plausible range and a source. Unknown keys are errors,
and model code never supplies a default of its own: what the model reads is what is here.

Dates are timezone-aware; a date written without an offset is read as Kabul local time
(UTC+04:30).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kabulsim.limits import MAX_NAME_CHARS, MAX_TEXT_CHARS
from kabulsim.places import PLACES, ROUTES
from kabulsim.scenario.params import param
from kabulsim.timebase import KABUL

if TYPE_CHECKING:  # pragma: no cover
    from kabulsim.scenario.theatre import Theatre

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
REF_NYT_STRENGTH = (
    "New York Times, 9 Oct 2001, citing Pentagon sources: 10,000-15,000 Taliban of the central"
    " corps north of Kabul"
)
REF_INDIA_TODAY = "India Today, 5 Nov 2001: about 7,000 alliance troops at Bagram"
REF_CSM = "Christian Science Monitor, 10 Oct 2001: the alliance 15,000 strong"
REF_MAZAR = (
    "'Fall of Mazar-i-Sharif' (encyclopedia article): Taliban 5,000, alliance 2,000+; several"
    " hundred killed, about 500 captured and 1,000 defected"
)
REF_SORTIES = (
    "AFPS, 1 Nov 2001 (Stufflebeem): about 70 strike aircraft on 29 Oct, 80% against the front"
    " lines; Gen. Pace, 6 Nov 2001: more than 100 strike sorties on 5 Nov; Rumsfeld, 7 Nov 2001:"
    " 120 a day (see docs/sources.md)"
)
REF_FRONTLINE = (
    "BBC, 21 Oct 2001: first verified strike on the front north of Kabul; AFPS, 1 Nov 2001: 80%"
    " of the effort on front lines by 29 Oct"
)
REF_BIDDLE = (
    "S. Biddle, Afghanistan and the Future of Warfare (SSI, 2002) and International Security"
    " 30(3), 2005: at Bai Beche on 5 Nov the defenders survived days of bombing and repulsed"
    " the first assault; the second, arriving just behind controller-directed strikes, broke"
    " the line"
)


REF_BIDDLE_ADAPT = (
    "S. Biddle, Afghanistan and the Future of Warfare, Foreign Affairs 82(2), 2003, and SSI"
    " monograph (2002): Taliban fighters quickly adapted, dispersed and camouflaged their"
    " positions, and many survived the air strikes; survivors in prepared positions had to be"
    " overcome in close combat"
)
REF_TARIN_KOWT = (
    "Tarin Kowt, 17 Nov 2001: of about 80 Taliban vehicles attacking in the open under air"
    " attack, some 45 were destroyed (E. Blehm, The Only Thing Worth Dying For, 2010)"
)
REF_WOODWARD = (
    "B. Woodward, Bush at War (2002; Washington Post and Newsweek excerpts, Nov 2002): the CIA"
    " paid $10,000 for a sub-commander and his dozens of fighters, $50,000 for a commander and"
    " his hundreds; $70 million in cash outlays; 'the United States bought off more enemy"
    " fighters than it killed'"
)
REF_TALOQAN = (
    "J. L. Anderson, The Surrender, The New Yorker, 10 Dec 2001: at Taloqan on 11 Nov 2001 a"
    " commander with several hundred men changed sides as the Taliban abandoned city after"
    " city"
)
REF_KUNDUZ = (
    "A. Rashid, Descent into Chaos (2008): the Taliban surrounded at Kunduz (some 8,000 with"
    " foreign fighters) negotiated their surrender in late Nov 2001; Kandahar was surrendered"
    " by negotiation on 7 Dec 2001"
)
REF_POWELL = (
    'C. Powell, NBC Meet the Press, 11 Nov 2001 (US State Dept Washington File): "invest the'
    ' city, make it untenable for the Taliban"; "two forces arriving in Kabul at the same time'
    ' not meaning each well"'
)
REF_HRW_1992 = (
    "Human Rights Watch, Blood-Stained Hands: Past Atrocities in Kabul and Afghanistan's Legacy"
    " of Impunity (2005), ch. III, The Battle for Kabul, April 1992 - March 1993"
)
REF_AI_KABUL = (
    "Amnesty International news release 246/94 (28 Oct 1994): some 12,000 killed since April"
    " 1992 (about 13 a day); AI ASA 11/09/95: more than 25,000 killed in Kabul in three years"
    " (about 23 a day); US State Dept Human Rights Report 1992: an August 1992 rocket attack"
    " killed as many as 2,000 in three weeks"
)
REF_ISAF_BUILDUP = (
    'The Independent, Jan 2002: Military Technical Agreement for "about 4,500 troops"; 10 Jan'
    " 2002: more than a thousand foreign troops in Kabul, full strength of 5,000 by mid-February"
    " (Hoon); ParaData, Operation Fingal: last 2 PARA aircraft reached Kabul 11 Feb 2002"
)
REF_QUINLIVAN = (
    "J. T. Quinlivan, Force Requirements in Stability Operations, Parameters 25(4), 1995: one to"
    " four police per thousand residents for peaceful populations, 20 per thousand for"
    " stabilisation"
)
REF_ABDULLAH = (
    "Abdullah Abdullah, 13 Nov 2001 (New York Times, D. Rohde): \"We didn't have the intention"
    ' of entering Kabul" until "irresponsible people" with guns "created security problems"'
)
SEE_HOLD_BACK = " (see docs/hold_back_sources.md)"
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
        10_000,
        units="fighters",
        ge=0,
        plausible=(5_000, 15_000),
        kind="reference",
        source=REF_NYT_STRENGTH + "; " + REF_INDIA_TODAY + " (see docs/sources.md)",
        description="Taliban fighters holding the Shamali Plain front north of Kabul.",
    )
    taliban_kabul: int = param(
        3_000,
        units="fighters",
        ge=0,
        plausible=(1_000, 6_000),
        kind="assumption",
        source="garrison and rear units in the city; the source gives no figure",
        description="Taliban fighters in Kabul itself (garrison, rear services, guards).",
    )
    taliban_north: int = param(
        5_000,
        units="fighters",
        ge=0,
        plausible=(5_000, 8_000),
        kind="reference",
        source=REF_MAZAR + " (see docs/sources.md)",
        description="Taliban fighters holding Mazar-i-Sharif and its approaches.",
    )
    foreign_share: float = param(
        0.2,
        units="share",
        ge=0,
        le=1,
        plausible=(0.1, 0.4),
        kind="assumption",
        source="the 055 Brigade and Pakistani volunteers were concentrated on the"
        " northern fronts and around Kabul; about one fighter in five",
        description="Share of foreign fighters among the Taliban at Shamali and in Kabul.",
    )
    alliance_shamali: int = param(
        7_000,
        units="fighters",
        ge=1,
        plausible=(5_000, 10_000),
        kind="reference",
        source=REF_INDIA_TODAY,
        description="Northern Alliance fighters in the line facing the Shamali front (at least one:"
        " an alliance without fighters cannot take the city).",
    )
    alliance_reserve_shamali: int = param(
        8_000,
        units="fighters",
        ge=0,
        plausible=(3_000, 10_000),
        kind="reference",
        source=REF_CSM + "; less the 7,000 at Bagram (" + REF_INDIA_TODAY + ")",
        description="Alliance fighters behind the Shamali line (Panjshir, Jabal Saraj) who can"
        " be massed for an assault.",
    )
    alliance_north: int = param(
        3_000,
        units="fighters",
        ge=0,
        plausible=(2_000, 5_000),
        kind="reference",
        source=REF_MAZAR + "; D. Stanton, Horse Soldiers (2009): Dostum's 1,500 horse and"
        " 1,500 foot",
        description="Alliance fighters (Dostum, Atta, Mohaqiq) facing the northern front.",
    )

    @model_validator(mode="after")
    def _parts_fit_the_whole(self) -> Forces:
        parts = [
            name for name in type(self).model_fields
            if name.startswith("taliban_") and name != "taliban_national"
        ]  # fmt: skip
        held = sum(getattr(self, name) for name in parts)
        if held > self.taliban_national:
            raise ValueError(
                f"{' + '.join(parts)} = {held} exceeds taliban_national = {self.taliban_national}"
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
        shares = [name for name in type(self).model_fields if name.endswith("_share")]
        if sum(getattr(self, name) for name in shares) > 1.0 + 1e-9:
            raise ValueError(f"{' + '.join(shares)} must not exceed 1")
        return self


_BASELINE_SORTIES = (
    SortiePeriod(
        start=datetime(2001, 10, 7, 21, 0, tzinfo=KABUL),
        strike_sorties_per_day=40.0,
        shamali_share=0.05,
        north_share=0.05,
    ),
    SortiePeriod(
        start=datetime(2001, 10, 21, 0, 0, tzinfo=KABUL),
        strike_sorties_per_day=70.0,
        shamali_share=0.3,
        north_share=0.4,
    ),
    SortiePeriod(
        start=datetime(2001, 11, 5, 0, 0, tzinfo=KABUL),
        strike_sorties_per_day=110.0,
        shamali_share=0.3,
        north_share=0.4,
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
        source=REF_SORTIES + "; the shift to front-line targets from 21 Oct is an exogenous"
        " targeting decision (" + REF_FRONTLINE + ")",
        description="Strike sorties per day by period, with the shares aimed at each front.",
    )
    front_targeting_ramp_days: float = param(
        8.0,
        units="days",
        ge=0,
        plausible=(1.0, 10.0),
        kind="reference",
        source=REF_FRONTLINE + ": the shift took about eight days",
        description="A period's front shares ramp up linearly from the previous period's over"
        " this many days (0: a switch).",
    )
    assault_cas_factor: float = param(
        2.0,
        units="factor",
        ge=1,
        plausible=(1.0, 4.0),
        kind="calibrated",
        fit=True,
        source="with the other defaults the Shamali fight lasts about three hours. " + REF_BIDDLE,
        description="Multiplier on close air support directed by controllers during an"
        " assault: defenders who fight the assault expose themselves to the strikes.",
    )
    daily_variation: float = param(
        0.3,
        units="coefficient of variation",
        ge=0,
        le=2,
        plausible=(0.1, 0.6),
        kind="assumption",
        source="weather, tasking and target availability vary day to day",
        description="Day-to-day variation of the sortie rate (gamma-distributed multiplier).",
    )
    kills_per_sortie: float = param(
        0.4,
        units="fighters/sortie",
        ge=0,
        plausible=(0.1, 0.65),
        kind="assumption",
        fit=True,
        source="strikes on dispersed, dug-in positions without a controller on the"
        " ground rarely hit troops; the upper end bounds kills per controlled sortie"
        " (times controller_multiplier, at most 3: 1.95) by the cross-check of"
        " docs/sources.md: 8,000-12,000 Taliban dead over about 6,000 strike sorties, 1.3-2"
        " a sortie including ground fighting (T. Farrell, 'Unbeatable', Texas National Security"
        " Review 1(3), 2018)",
        description="Fighters killed per strike sortie on a front without ground controllers.",
    )
    morale_per_sortie: float = param(
        0.008,
        units="1/(effective sortie per 1,000 fighters)",
        ge=0,
        plausible=(0.004, 0.016),
        kind="calibrated",
        fit=True,
        source="with the other defaults the northern line breaks in early November"
        " and Mazar-i-Sharif falls on about 9 Nov. " + Q_WEAKENED,
        description="Fractional loss of a front's morale per effective strike sortie per"
        " thousand fighters in the line (the same strikes weigh more on a smaller force).",
    )
    controller_multiplier: float = param(
        3.0,
        units="factor",
        ge=1,
        plausible=(1.5, 3.0),
        kind="assumption",
        fit=True,
        source="assumption informed by " + REF_BRISCOE + ": controllers on the ground made close"
        " air support far more accurate; at most 3 so that kills per controlled sortie"
        " (times kills_per_sortie, at most 0.65: 1.95) stay within the cross-check of"
        " docs/sources.md (1.3-2 dead a strike sortie, ground fighting included)",
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
    pursuit_until: LocalDatetime | None = param(
        datetime(2001, 12, 17, 12, 0, tzinfo=KABUL),
        units="local time",
        kind="exogenous",
        source="the battle of Tora Bora, the last pocket the withdrawal reached, 6-17 Dec 2001;"
        " bin Laden's escape about 16 Dec (US Senate Foreign Relations Committee, 'Tora Bora"
        " Revisited', 30 Nov 2009, citing Berntsen);"
        ' on 15 Nov 2001 "U.S. air forces flew 138 sorties over Afghanistan" in support of'
        " ground operations near Kunduz and against caves (AFPS, 16 Nov 2001); plausible 7 Dec"
        " (Kandahar's surrender) - 31 Dec",
        description="Until this date the sorties aimed at a front that no longer holds a line"
        " keep flying against the fighters who withdrew from it (the retreat and the pockets it"
        " reaches); they count as sorties and civilian deaths, and their kills fall outside the"
        " modelled theatre. null: they stop when the line breaks.",
    )
    civilians_per_sortie: float = param(
        0.2,
        units="civilian deaths/sortie",
        ge=0,
        plausible=(0.05, 0.4),
        kind="reference",
        source=REF_CONETTA + "; and about 4,700 attack sorties through 10 Dec 2001 (the same"
        " report): 0.17-0.28 a sortie (version 3 used 0.15, below both ratios)",
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
        source="on a static front, rotation and resupply restore morale slowly; " + Q_STALEMATE,
        description="Share of the gap to full morale (1) recovered each day.",
    )
    ground_pressure_per_day: float = param(
        0.004,
        units="1/day per unit force ratio",
        ge=0,
        plausible=(0.0, 0.02),
        kind="assumption",
        fit=True,
        source="raids and artillery on a static front wear morale slowly, in"
        " proportion to the alliance-to-Taliban force ratio; " + Q_STALEMATE,
        description="Daily fractional morale loss of a front from ground pressure, per unit of"
        " the alliance-to-Taliban force ratio.",
    )
    alliance_initial: float = param(
        0.8,
        units="morale (1 = typical)",
        ge=0.01,
        le=1,
        plausible=(0.5, 1.0),
        kind="assumption",
        source="the alliance had lost Massoud on 9 Sep and held a static front",
        description="Alliance morale on the Shamali front at the start.",
    )


class CityFall(_Part):
    """What the fall of a front's city does (in 2001: Mazar-i-Sharif, and its shock).

    The part of a front with the ``falls`` role, named after the front.
    """

    advance_h: float = param(
        72.0,
        units="h (median)",
        gt=0,
        plausible=(24.0, 120.0),
        kind="reference",
        source=REF_BIDDLE + "; Bai Beche fell on 5 Nov, Mazar-i-Sharif on 9 Nov",
        description="Median time from the break of the northern line to the fall of"
        " Mazar-i-Sharif (lognormal, spread shamali.mass_spread).",
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
        fit=True,
        source="calibrated in version 1 to the 12 Nov date of the Shamali fight; kept in"
        " version 2, where +/-20% moves the dates by less than two hours (README). " + Q_SHAMALI,
        description="Share of the Shamali Taliban's morale lost when Mazar-i-Sharif falls.",
    )
    encirclement_per_day: float = param(
        0.2,
        units="1/day",
        ge=0,
        le=1,
        plausible=(0.05, 0.4),
        kind="calibrated",
        fit=True,
        source="calibrated in version 1 to the 12 Nov date; kept in version 2, where +/-20%"
        ' moves the dates by less than two hours (README). "fearing encirclement" (source)',
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
        source="the fall of Mazar-i-Sharif heartened the alliance",
        description="Morale the alliance gains on the Shamali front when Mazar-i-Sharif falls.",
    )
    killed_share: float = param(
        0.08,
        units="share",
        ge=0,
        le=1,
        plausible=(0.05, 0.3),
        kind="assumption",
        source="most of the northern garrison withdrew, surrendered or changed sides",
        description="Share of the northern garrison killed in the collapse.",
    )
    defected_share: float = param(
        0.3,
        units="share",
        ge=0,
        le=1,
        plausible=(0.2, 0.6),
        kind="assumption",
        source="surrenders and changes of side were common in the northern collapse",
        description="Share of the northern garrison captured or changing sides in the collapse.",
    )

    @model_validator(mode="after")
    def _shares(self) -> CityFall:
        if self.killed_share + self.defected_share > 1.0 + 1e-9:
            raise ValueError("killed_share + defected_share must not exceed 1")
        return self


REF_TIME_KUNDUZ = (
    "Time, 18 Nov 2001 (T. McCarthy, 'A Volatile State of Siege After a Taliban Ambush'):"
    ' "some 6,000 Taliban and al-Qaeda troops" in Kunduz, "surrounded by an estimated 10,000'
    ' Alliance men who had cut off all roads out of the city"'
)
REF_KUNDUZ_AIRLIFT = (
    "the airlift out of Kunduz is contested: 'several thousand' foreign fighters, ISI agents"
    " and Pakistani military personnel (S. Hersh, 'The Getaway', The New Yorker, 28 Jan 2002;"
    " Wikipedia, 'Siege of Kunduz': 2,000-5,000 airlifted), denied by the US and Pakistan;"
    " BBC: 'for three nights before the city fell a large number of flights came and went';"
    " Time, 18 Nov 2001: flights from Tuesday night (20 Nov) during the surrender talks"
)
REF_KANDAHAR_COMMANDERS = (
    "Wikipedia, 'Fall of Kandahar (2001)': Karzai's force of about 800 when it moved on"
    " Kandahar from the north (Tarin Kowt, held from 17 Nov); Time, Dec 2001: 'Sherzai's 700"
    " men advanced as far as the Kandahar airport' from the south (E. Blehm, The Only Thing"
    " Worth Dying For, 2010; G. Crile / G. Berntsen accounts of ODA 583)"
)
REF_RHINO = (
    "Los Angeles Times, 26 Nov 2001: on Sunday 25 Nov 'about 200 to 300 Marines' flown to an"
    " airfield southwest of Kandahar (Camp Rhino), reinforced 'over the next several days ...'"
    " until it numbers more than 1,000'"
)


class Pocket(_Part):
    """A pocket of the Taliban cut off after the lines broke (a place with the ``pocket`` role).

    The part named after the place (``kunduz``, ``kandahar``). Its own garrison is
    ``forces.taliban_<place>``; the fighters withdrawing along the routes that feed it
    (:attr:`kabulsim.places.Place.fed_by`) join it. The siege's terms reuse the defended
    city's (``alliance.siege_pressure_per_day``, ``surrender_resolve``, ``negotiation_h``).
    """

    garrison_share: float = param(
        0.0,
        units="share",
        ge=0,
        le=1,
        plausible=(0.0, 1.0),
        kind="assumption",
        source="a pocket declared without a garrison of its own",
        description="Share of the Taliban not on the lines or in Kabul (forces.taliban_national"
        " less the fronts' and Kabul's) who garrison the pocket at the start.",
    )
    morale: float = param(
        0.8,
        units="morale (0-1)",
        gt=0,
        le=1,
        plausible=(0.5, 1.0),
        kind="assumption",
        source="a garrison behind the lines, not yet under pressure, as the returning force's"
        " morale (vacuum.return_morale); its surrender threshold is a share of it"
        " (alliance.surrender_resolve)",
        description="Morale of the pocket at the start (the reference of its surrender threshold).",
    )
    foreign_share: float = param(
        0.3,
        units="share",
        ge=0,
        le=1,
        plausible=(0.1, 0.5),
        kind="assumption",
        source="the foreign fighters were concentrated in the last pockets",
        description="Share of foreign fighters in the pocket.",
    )
    arrival_h: float = param(
        24.0,
        units="h (median)",
        gt=0,
        plausible=(12.0, 72.0),
        kind="assumption",
        source="a day on the road",
        description="Median time (lognormal, spread shamali.mass_spread) for fighters who"
        " withdraw along a route that feeds the pocket to reach it.",
    )
    besiegers: int = param(
        1_000,
        units="fighters",
        ge=0,
        plausible=(500.0, 10_000.0),
        kind="assumption",
        source="the force that arrives before the city",
        description="Fighters of the force that closes on the pocket when it arrives.",
    )
    besiegers_max: int = param(
        1_000,
        units="fighters",
        ge=0,
        plausible=(500.0, 10_000.0),
        kind="assumption",
        source="a force counted at its full strength when it arrives",
        description="The most the besieging force grows to (recruits joining it).",
    )
    growth_per_day: float = param(
        0.0,
        units="fighters/day",
        ge=0,
        plausible=(0.0, 500.0),
        kind="assumption",
        source="a force counted at its full strength when it arrives (Kunduz: Time's 10,000)",
        description="Fighters joining the besieging force each day once it is before the city.",
    )
    besiegers_h: float = param(
        96.0,
        units="h (median)",
        gt=0,
        plausible=(24.0, 480.0),
        kind="assumption",
        source="the force's march",
        description="Median time (lognormal, spread shamali.mass_spread) from the event that"
        " frees the besieging force (the fall of the city whose retreat feeds the pocket, or"
        " the Taliban's loss of the capital) to its arrival before the pocket.",
    )
    controllers: LocalDatetime | None = param(
        None,
        units="local time",
        kind="assumption",
        source="no controllers unless a source places them with the besiegers",
        description="From this date ground controllers direct the strikes on the pocket"
        " (air.controller_multiplier); null: never.",
    )
    reinforcement: int = param(
        0,
        units="fighters",
        ge=0,
        plausible=(0.0, 2_000.0),
        kind="assumption",
        source="no outside force unless a source reports one (Kunduz: none)",
        description="Fighters of an outside force that join the besiegers at reinforcement_at.",
    )
    reinforcement_at: LocalDatetime | None = param(
        None,
        units="local time",
        kind="exogenous",
        source="no outside force unless a source reports one (Kunduz: none)",
        description="When the outside force joins the besiegers; null: never.",
    )
    airlift: int = param(
        0,
        units="fighters",
        ge=0,
        plausible=(0.0, 5_000.0),
        kind="assumption",
        source="no airlift unless a source reports one",
        description="Fighters flown out of the pocket during the surrender talks (foreign"
        " fighters first).",
    )
    airlift_nights: int = param(
        3,
        units="nights",
        ge=1,
        le=30,
        plausible=(1.0, 7.0),
        kind="reference",
        source=REF_KUNDUZ_AIRLIFT,
        description="Nights over which the airlift flies, from the night the pocket seeks"
        " terms (in equal parts; what is left when the pocket falls is not flown).",
    )
    handover_h: float = param(
        48.0,
        units="h",
        ge=0,
        plausible=(24.0, 72.0),
        kind="reference",
        source="Kandahar: terms agreed 6 Dec 2001, a handover of 'two or three days' (AP, 6 Dec"
        " 2001); Kunduz: a deal on 22 Nov, surrenders on 23, 24 and 25 Nov (Dawn, 25 Nov 2001)",
        description="Time the agreed surrender takes to carry out: the fighters surrender in"
        " equal daily parts over it, and the pocket falls at its end.",
    )
    refuse_share: float = param(
        0.2,
        units="share",
        ge=0,
        le=1,
        plausible=(0.0, 1.0),
        kind="assumption",
        source="some foreign fighters refuse the terms and slip away",
        description="Share of the pocket's foreign fighters who refuse the terms and go on"
        " (its onward route) instead of surrendering.",
    )


class KunduzPocket(Pocket):
    """The Kunduz pocket, 9-25 Nov 2001 (the inputs with their sources)."""

    garrison_share: float = param(
        0.3,
        units="share",
        ge=0,
        le=1,
        plausible=(0.1, 0.5),
        kind="reference",
        source='Time, 18 Nov 2001: "some 6,000 Taliban and al-Qaeda troops" inside Kunduz after'
        " the retreat from Mazar-i-Sharif and Taloqan; A. Rashid, Descent into Chaos (2008):"
        ' "some eight thousand in all" with the foreign fighters; Wikipedia, "Siege of Kunduz":'
        " 5,000 Taliban and 3,000 foreign fighters. The pocket's own garrison (Kunduz, Taloqan,"
        " Khanabad) is that total less the north's retreat, which the model sends there (about"
        " 3,000 at the single values): 0.3 of the 9,500 not on the lines or in Kabul at the"
        " defaults, 2,850 (0.1-0.5: about 1,000-4,750) (see docs/sources.md)",
        description="Share of the Taliban not on the lines or in Kabul who garrison Kunduz,"
        " Taloqan and Khanabad at the start; the north's retreat joins them.",
    )
    foreign_share: float = param(
        0.375,
        units="share",
        ge=0,
        le=1,
        plausible=(0.2, 0.6),
        kind="reference",
        source="Wikipedia, 'Siege of Kunduz': 5,000 Taliban and 3,000 foreign fighters; "
        + REF_TIME_KUNDUZ,
        description="Share of foreign fighters in the Kunduz pocket.",
    )
    arrival_h: float = param(
        36.0,
        units="h (median)",
        gt=0,
        plausible=(12.0, 96.0),
        kind="assumption",
        source="the retreat from Mazar-i-Sharif by Khulm and Taloqan to Kunduz, some 250-300"
        " km of road under air attack (Time, 18 Nov 2001: the road from Taloqan 'lined with"
        " bombed vehicles'); a day and a half",
        description="Median time for the fighters retreating from Mazar-i-Sharif to reach Kunduz.",
    )
    besiegers: int = param(
        10_000,
        units="fighters",
        ge=0,
        plausible=(5_000, 15_000),
        kind="reference",
        source=REF_TIME_KUNDUZ + "; Wikipedia, 'Siege of Kunduz': 10,000",
        description="Alliance fighters (Daud from Taloqan, Dostum and Atta from Mazar-i-Sharif)"
        " who besiege Kunduz.",
    )
    besiegers_max: int = param(
        10_000,
        units="fighters",
        ge=0,
        plausible=(5_000, 15_000),
        kind="reference",
        source=REF_TIME_KUNDUZ,
        description="The most the force besieging Kunduz grows to.",
    )
    besiegers_h: float = param(
        120.0,
        units="h (median)",
        gt=0,
        plausible=(48.0, 240.0),
        kind="reference",
        source="Taloqan fell on 11 Nov, two days after Mazar-i-Sharif; Daud's and Dostum's"
        " forces converged on Kunduz over the next days, Dostum's from Mazar-i-Sharif some"
        " 250-300 km away (Time, 18 Nov 2001; Wikipedia, 'Siege of Kunduz'); five days,"
        " plausible two to ten",
        description="Median time from the fall of Mazar-i-Sharif to the siege of Kunduz.",
    )
    controllers: LocalDatetime | None = param(
        datetime(2001, 11, 8, 12, 0, tzinfo=KABUL),
        units="local time",
        kind="reference",
        source="ODA 586 with Daud directed strikes on the Taloqan-Kunduz lines in early"
        " November (C. Briscoe et al., Weapon of Choice, 2003; date approximate); the 'most"
        " sustained bombardment in that area' on 17 Nov (Time, 18 Nov 2001)",
        description="From this date ground controllers direct the strikes on the Kunduz pocket.",
    )
    airlift: int = param(
        2_000,
        units="fighters",
        ge=0,
        plausible=(0.0, 5_000.0),
        kind="reference",
        source=REF_KUNDUZ_AIRLIFT + "; the low end of the 2,000-5,000 range, and 0 is"
        " allowed: the sources disagree",
        description="Fighters flown out of Kunduz during the surrender talks (contested: 0 to"
        " 5,000; foreign fighters first).",
    )
    refuse_share: float = param(
        0.1,
        units="share",
        ge=0,
        le=1,
        plausible=(0.0, 0.5),
        kind="assumption",
        source="at Kunduz most foreign fighters surrendered in the end (some 300-400 of them"
        " were held at Qala-i-Jangi from 24 Nov: LA Times, 26 Nov 2001); a few fought on or"
        " slipped away",
        description="Share of the Kunduz pocket's foreign fighters who refuse the terms.",
    )


class KandaharPocket(Pocket):
    """Kandahar, 13 Nov-7 Dec 2001 (the inputs with their sources)."""

    garrison_share: float = param(
        0.35,
        units="share",
        ge=0,
        le=1,
        plausible=(0.2, 0.7),
        kind="reference",
        source='Pentagon, Dec 2001 (Time): "anywhere from 5,000 to 15,000 Taliban troops"'
        " in or near Kandahar; its own garrison is that less the fighters the model sends"
        " there from Kabul (several thousand): 0.35 of the 9,500 not on the lines or in Kabul"
        " at the defaults, 3,325 (0.2-0.7: 1,900-6,650) (see docs/sources.md)",
        description="Share of the Taliban not on the lines or in Kabul who garrison Kandahar"
        " at the start; the fighters withdrawing from Kabul by the Kandahar road join them.",
    )
    foreign_share: float = param(
        0.3,
        units="share",
        ge=0,
        le=1,
        plausible=(0.1, 0.6),
        kind="reference",
        source='Pentagon, Dec 2001 (Time): of 5,000-15,000 near Kandahar "most of them'
        ' Pakistanis, Chechens, Algerians, Saudis and Egyptians"; Arab fighters held the'
        " airport to the end (G. Berntsen, Jawbreaker, 2005); 0.3 (0.1-0.6), an assumption"
        " within that",
        description="Share of foreign fighters at Kandahar.",
    )
    arrival_h: float = param(
        16.0,
        units="h (median)",
        gt=0,
        plausible=(12.0, 36.0),
        kind="reference",
        source='the Kabul-Kandahar highway (483 km), 2002: "Thirteen hours, says one man.'
        ' Twenty, says the next" (Chicago Tribune, 2 Aug 2002), as vacuum.return_road_h',
        description="Median time for the fighters withdrawing from Kabul to reach Kandahar.",
    )
    besiegers: int = param(
        1_500,
        units="fighters",
        ge=0,
        plausible=(800.0, 3_000.0),
        kind="reference",
        source=REF_KANDAHAR_COMMANDERS + ": about 800 + 700",
        description="Fighters of the southern Pashtun commanders (Karzai from the north,"
        " Sherzai from the south) when they close on Kandahar.",
    )
    besiegers_max: int = param(
        3_000,
        units="fighters",
        ge=0,
        plausible=(1_500, 6_000),
        kind="assumption",
        source="tribal forces joined the commanders once the Taliban had lost the north and"
        " Kabul (" + REF_KANDAHAR_COMMANDERS + "); twice their first strength, an assumption",
        description="The most the southern commanders' forces grow to.",
    )
    growth_per_day: float = param(
        100.0,
        units="fighters/day",
        ge=0,
        plausible=(25.0, 300.0),
        kind="assumption",
        source="tribal fighters joining as the Taliban's defeat became clear; no source gives"
        " a rate (their strength doubled in about two weeks at this value)",
        description="Fighters joining the southern commanders each day once they are before"
        " Kandahar.",
    )
    besiegers_h: float = param(
        240.0,
        units="h (median)",
        gt=0,
        plausible=(96.0, 480.0),
        kind="reference",
        source="Kabul fell on 13 Nov; Karzai's force, at Tarin Kowt (about 150 km north) from"
        " 17 Nov, and Sherzai's, from the Pakistani border, were on the approaches of the city"
        " from late November (" + REF_KANDAHAR_COMMANDERS + "); ten days, plausible four to"
        " twenty",
        description="Median time from the Taliban's loss of Kabul to the southern commanders'"
        " arrival before Kandahar.",
    )
    controllers: LocalDatetime | None = param(
        datetime(2001, 11, 19, 12, 0, tzinfo=KABUL),
        units="local time",
        kind="reference",
        source="ODA 574 with Karzai from 14 Nov, ODA 583 with Sherzai from 19 Nov (C. Briscoe"
        " et al., Weapon of Choice, 2003)",
        description="From this date ground controllers direct the strikes on Kandahar.",
    )
    reinforcement: int = param(
        1_000,
        units="fighters",
        ge=0,
        plausible=(200.0, 1_500.0),
        kind="reference",
        source=REF_RHINO,
        description="US Marines at Camp Rhino (Task Force 58), counted with the besiegers of"
        " Kandahar: they raise the siege's pressure (the besiegers-to-garrison ratio).",
    )
    reinforcement_at: LocalDatetime | None = param(
        datetime(2001, 11, 25, 18, 0, tzinfo=KABUL),
        units="local time",
        kind="exogenous",
        source=REF_RHINO + "; an exogenous US deployment",
        description="The Marines land at Camp Rhino; null: no Marines.",
    )
    refuse_share: float = param(
        0.8,
        units="share",
        ge=0,
        le=1,
        plausible=(0.3, 1.0),
        kind="assumption",
        source="at Kandahar the Taliban and al-Qaeda used the negotiations 'to secretly flee"
        " Kandahar or otherwise melt into the local populace' (G. Berntsen, Jawbreaker, 2005)",
        description="Share of Kandahar's foreign fighters who refuse the terms and go on into"
        " the countryside.",
    )


LatLon = tuple[float, float]
"""A point on the map: [latitude N, longitude E] (degrees)."""


def _on_the_globe(point: Any) -> Any:
    """``point`` if it is [latitude N, longitude E] on the globe (degrees); else one clear line."""
    expected = (
        "expected [latitude N, longitude E] with a latitude from -90 to 90 and a longitude"
        " from -180 to 180 (degrees)"
    )
    numbers = isinstance(point, list | tuple) and len(point) == 2
    numbers = numbers and all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)
    if not numbers:
        raise ValueError(f"{expected}, got {point!r}")
    lat, lon = point
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"{expected}, got [{lat:g}, {lon:g}]")
    return point


class DeclaredCity(_Part):
    """A city the scenario adds to the theatre, covered by one of its fronts.

    The key under ``cities:`` names the city (its column ``<city>_falls``, its milestone and
    event); a front of ``fronts:`` covers it (``city: <key>``) and its ``fall`` says what the
    city's fall does. See 'Add a city' in docs/architecture.md.
    """

    label: str = Field(
        min_length=1,
        description="The city in a title, e.g. 'Kunduz' (text).",
        json_schema_extra={"units": "text"},
    )
    retreat: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="The route its garrison withdraws by when it falls (a ledger key: lower-case"
        " letters, digits, _).",
        json_schema_extra={"units": "text"},
    )
    at: LatLon | None = Field(
        None,
        description="Where the city is, [latitude N, longitude E] (degrees); null: not drawn on"
        " the map.",
        json_schema_extra={"units": "[latitude, longitude] (degrees)"},
    )

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, at: Any) -> Any:
        return None if at is None else _on_the_globe(at)


class DeclaredFront(_Part):
    """A front the scenario adds to the theatre, with every input it needs.

    The key under ``fronts:`` names the front (its columns ``taliban_<front>``,
    ``morale_<front>``, ``<front>_line_broken`` ..., its random stream). The front is a
    Taliban line facing an alliance force, struck by its share of the sorties and assaulted
    by the alliance commander with the doctrine of every front (the ``shamali`` part). With
    a ``city`` (a key of ``cities:``) the city falls after a lognormal advance once the line
    breaks, as Mazar-i-Sharif's does for the northern front; its ``fall`` inputs default to
    the schema's defaults for the package's falling front (:class:`CityFall`). See 'Add a
    front' in docs/architecture.md.
    """

    label: str = Field(
        min_length=1,
        description="The front in a title, e.g. 'Kunduz' (text).",
        json_schema_extra={"units": "text"},
    )
    at: str | None = Field(
        None,
        description="Where its fighters are, in a title, e.g. 'at Kunduz'; null: 'at' and the"
        " label (text).",
        json_schema_extra={"units": "text"},
    )
    taliban: int = Field(
        ge=0,
        description="Taliban fighters holding the line (fighters).",
        json_schema_extra={"units": "fighters"},
    )
    alliance: int = Field(
        ge=0,
        description="Alliance fighters facing the line (fighters).",
        json_schema_extra={"units": "fighters"},
    )
    alliance_reserve: int = Field(
        0,
        ge=0,
        description="Alliance reserve the commander may mass for an assault (fighters).",
        json_schema_extra={"units": "fighters"},
    )
    controllers: LocalDatetime | None = Field(
        description="Arrival of ground controllers directing strikes on the front (local"
        " time); null: never.",
        json_schema_extra={"units": "local time"},
    )
    shares: tuple[float, ...] = Field(
        description="Its share of the strike sorties in each sortie period of air.sorties, in"
        " order (shares, each 0-1).",
        json_schema_extra={"units": "share per sortie period"},
    )
    line: tuple[LatLon, ...] | None = Field(
        None,
        min_length=2,
        description="The front's line on the map, [latitude N, longitude E] points (degrees);"
        " null: not drawn.",
        json_schema_extra={"units": "[latitude, longitude] (degrees)"},
    )
    city: str | None = Field(
        None,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="The city the front covers, a key of cities: (its column <city>_falls);"
        " null: none.",
        json_schema_extra={"units": "text"},
    )
    fall: CityFall | None = Field(
        None,
        description="What the fall of its city does; with a city, each input not given takes"
        " the schema's default (those of the package's falling front).",
    )
    reinforced: Literal["none", "refilled", "contingent"] = Field(
        "none",
        description="How the Taliban command reinforces the line from Kabul: none, refilled"
        " (daily) or contingent (once, when the line is first assaulted).",
        json_schema_extra={"units": "text"},
    )
    travel_h: float | None = Field(
        None,
        gt=0,
        description="Median travel time from Kabul (h); required when reinforced.",
        json_schema_extra={"units": "h (median)"},
    )
    contingent: int | None = Field(
        None,
        ge=0,
        description="Fighters sent once from Kabul (fighters); required with"
        " reinforced: contingent.",
        json_schema_extra={"units": "fighters"},
    )

    @model_validator(mode="before")
    @classmethod
    def _fall_defaults(cls, data: Any) -> Any:
        """A front with a city and no ``fall`` takes every fall input's default."""
        if isinstance(data, dict) and data.get("city") is not None and data.get("fall") is None:
            return {**data, "fall": {}}
        return data

    @field_validator("line", mode="before")
    @classmethod
    def _line(cls, line: Any) -> Any:
        if line is None:
            return None
        if not isinstance(line, list | tuple) or len(line) < 2:
            raise ValueError(
                "expected a list of at least two [latitude N, longitude E] points (degrees),"
                f" got {line!r}"
            )
        return [_on_the_globe(p) for p in line]

    @field_validator("shares")
    @classmethod
    def _each_share(cls, shares: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0.0 <= s <= 1.0 for s in shares):
            raise ValueError(f"expected shares between 0 and 1, got {list(shares)}")
        return shares

    @model_validator(mode="after")
    def _complete(self) -> DeclaredFront:
        if self.fall is not None and self.city is None:
            raise ValueError("fall needs a city (a key of cities:) whose fall it describes")
        if self.reinforced != "none" and self.travel_h is None:
            raise ValueError(f"reinforced: {self.reinforced} needs travel_h (h)")
        if self.reinforced == "contingent" and self.contingent is None:
            raise ValueError("reinforced: contingent needs contingent (fighters)")
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
        source="the alliance commander reviews the front once a day",
        description="Interval between the alliance commander's estimates of an assault's cost.",
    )
    required_odds: float = param(
        8.0,
        units="ratio",
        gt=0,
        plausible=(4.0, 16.0),
        kind="calibrated",
        fit=True,
        source="with the other defaults the Shamali fight comes on 12 Nov; a"
        " commander who had held a line for two years attacks only when he expects the enemy"
        " to break well before his own force. " + Q_STALEMATE,
        description="The alliance attacks when its estimated endurance over the Taliban's"
        " (hours to its breakpoint over theirs) reaches this.",
    )
    estimate_error: float = param(
        0.3,
        units="lognormal sigma",
        ge=0,
        le=2,
        plausible=(0.1, 0.6),
        kind="assumption",
        source="strength and morale across the line were known to within a factor of about"
        " 1.35 after two years facing it",
        description="Spread of the commander's persistent errors in his estimates of the"
        " Taliban line's strength and morale, where two years of stalemate left them (each"
        " drawn once per front; revised by what reviews and failed assaults show him).",
    )
    stalemate_days: float = param(
        730.0,
        units="days",
        gt=0,
        le=3650,
        cost="count",
        plausible=(365.0, 1100.0),
        kind="source",
        source=Q_STALEMATE + "; the front ran north of Kabul across the Shamali Plain from 1999"
        " (the Taliban offensive of summer 1999) to October 2001",
        description="How long the lines had stood before the start: the commander's reviews"
        " over it gave him his picture of the line (estimate_error), and his assaults in it"
        " were repulsed.",
    )
    assault_estimate_error: float = param(
        0.1,
        units="lognormal sigma",
        ge=0,
        le=2,
        plausible=(0.05, 0.3),
        kind="assumption",
        source="an assault that is repulsed shows the attacker the defenders' numbers and how"
        " hard they fight far better than patrols do: within a factor of about 1.1",
        description="Error of what one failed assault shows the commander of the line's"
        " strength and morale (he revises his picture with it).",
    )
    mass_h: float = param(
        24.0,
        units="h (median)",
        gt=0,
        plausible=(6.0, 72.0),
        kind="reference",
        source="AP, 12 Nov 2001: trucks brought hundreds of reinforcements to the front lines"
        " as the offensive began; the delay is an assumption",
        description="Median time to mass the reserve for an assault once it is decided"
        " (lognormal).",
    )
    mass_spread: float = param(
        0.4,
        units="lognormal sigma",
        ge=0,
        le=2,
        plausible=(0.2, 0.8),
        kind="assumption",
        source="delays known to within a factor of about 1.5",
        description="Spread of the massing time and of the northern advance.",
    )
    mass_share: float = param(
        0.5,
        units="share",
        ge=0,
        le=1,
        plausible=(0.2, 1.0),
        kind="assumption",
        source="about half the reserve can be brought up for one assault",
        description="Share of the alliance reserve massed for an assault.",
    )
    daylight: tuple[float, float] = param(
        (6.5, 15.0),
        units="h (local hour of day)",
        kind="assumption",
        source="assaults go in between first light (sunrise about 06:30 in"
        " November at Kabul) and mid-afternoon, leaving daylight to exploit; AP, 12 Nov 2001:"
        " the Shamali offensive was launched 'just before noon'",
        description="Window of local hours in which an assault may start (massing that ends"
        " at night waits for first light plus a form-up delay).",
    )
    nightfall: float = param(
        17.0,
        units="h (local hour of day)",
        ge=12,
        le=24,
        plausible=(16.5, 18.0),
        kind="reference",
        source="sunset at Kabul in mid-November is about 16:50 local time (UTC+4:30) and civil"
        " twilight ends about 17:15 (solar tables for 34.5 N, 69.2 E); assaults were daylight"
        " operations (AP, 12 Nov 2001: launched 'just before noon') and controllers directing"
        " close air support had to see the defenders",
        description="Local hour at which a fight pauses for the night; it resumes at first"
        " light (the first hour of daylight) with its losses counting against the breakpoints.",
    )
    kill_rates_by: Literal["daylight", "round_the_clock"] = param(
        "daylight",
        units="choice",
        kind="cdb90",
        source=CDB90 + "kill rates are casualties per day of battle; fights here pause at"
        " night, so 'daylight' inflicts a day's losses in the hours from first light to"
        " nightfall (the per-hour rates times 24 / (nightfall - first light), about 2.3);"
        " 'round_the_clock' keeps the per-hour rates (per day / 24)",
        description="How CDB90's daily kill rates are spread over a day of fighting by daylight.",
    )
    assault_days: int = param(
        5,
        units="days",
        ge=1,
        le=10,
        plausible=(3, 7),
        kind="cdb90",
        source=CDB90 + "of the 383 20th-century battles with a known length, 98% lasted at most"
        " 2.0 days of active combat and 99.2% at most 3 (median 1.6); five days of daylight"
        " fighting (about ten hours each) are about two days of continuous combat",
        description="Days of daylight fighting after which an undecided fight is broken off at"
        " nightfall (a backstop: the attacker breaks off sooner when the fight is not going"
        " his way).",
    )
    breakpoints: Literal["cdb90_distribution", "cdb90_median"] = param(
        "cdb90_distribution",
        units="choice",
        kind="cdb90",
        source=CDB90 + "breakpoints drawn from the quantiles of the withdrawing-defender and"
        " failed-attacker distributions, morale selecting the quantile (see docs/sources.md);"
        " 'cdb90_median': version 1's median times morale",
        description="How each fight's breakpoints are set.",
    )
    breakpoint_floor: Literal["cdb90_min", "cdb90_q10"] = param(
        "cdb90_min",
        units="choice",
        kind="cdb90",
        source=CDB90 + "'cdb90_min': no breakpoint below the smallest observed (0.49% of"
        " strength for defenders who withdrew, 0.47% for failed attackers); 'cdb90_q10': none"
        " below the 10th percentile (2.0%, 1.2%), the lowest quantile summarised",
        description="The lowest breakpoint a demoralised side may draw (with cdb90_distribution).",
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
        source="after a repulse the alliance needs days to regroup",
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
    step_min: float = param(
        5.0,
        units="min",
        ge=0.1,
        le=60,
        cost="interval",
        plausible=(0.5, 5.0),
        kind="assumption",
        source="five-minute steps resolve a fight of a few hours (36 steps in"
        " three hours) and keep a replication cheap when assaults are repulsed and retried",
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
        source="a fight not decided in two days is broken off",
        description="Longest a single assault lasts.",
    )
    fall_back_share: float = param(
        0.8,
        units="share",
        ge=0,
        le=1,
        plausible=(0.5, 1.0),
        kind="assumption",
        source="most of the beaten front fell back on Kabul; the rest scattered or"
        ' changed sides. "they fell back to Kabul"',
        description="Share of the front's survivors who fall back to Kabul after a break.",
    )


Doctrine = Shamali
"""The assault doctrine: how the alliance commander reviews, masses and attacks, and the
attrition law and rates of an assault. The 2001 model fights every front with the Shamali
part's parameters (:attr:`Scenario.doctrine`)."""


class Withdrawal(_Part):
    """The Taliban's decision to leave Kabul, and the evacuation."""

    policy: Literal["evacuate", "defend"] = param(
        "evacuate",
        units="choice",
        kind="source",
        source=Q_EVACUATION,
        description="What the Taliban do when the front breaks: evacuate Kabul or defend it.",
    )
    defend_resolve: float = param(
        1.0,
        units="morale (1 = typical)",
        gt=0,
        le=2,
        plausible=(0.5, 1.5),
        kind="assumption",
        source="fighters who chose to stay and defend their capital (foreign"
        " fighters with nowhere to go among them) fight with their own resolve, not the broken"
        " front's morale; 1 is the CDB90 population of defenders",
        description="Morale of the Taliban who defend Kabul when the policy is to defend.",
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
        fit=True,
        source="the leadership decided within hours. " + Q_EVACUATION,
        description="Median delay from the trigger to the decision to evacuate (lognormal).",
    )
    evacuation_h: float = param(
        8.0,
        units="h (median)",
        gt=0,
        plausible=(4.0, 24.0),
        kind="assumption",
        source="the city was emptied overnight. " + Q_EVACUATION,
        description="Median time to move the fighters out of the city (lognormal).",
    )
    spread: float = param(
        0.4,
        units="lognormal sigma",
        ge=0,
        le=2,
        plausible=(0.2, 0.8),
        kind="assumption",
        source="delays known to within a factor of about 1.5",
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
        source="foreign fighters without local ties were more often cut off. " + Q_VENGEANCE,
        description="Share of foreign fighters in the city left behind by the evacuation.",
    )
    straggler_share_afghan: float = param(
        0.01,
        units="share",
        ge=0,
        le=1,
        plausible=(0.0, 0.05),
        kind="assumption",
        source="Afghan fighters left behind mostly went home or changed sides",
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
        source="moving all heavy weapons and stores would take two days. " + Q_EVACUATION,
        description="Time needed to move all heavy weapons; the share left is 1 - evacuation"
        " time / this.",
    )


class Command(_Part):
    """The Taliban command moving fighters between Kabul and the fronts."""

    kabul_minimum: int = param(
        1_000,
        units="fighters",
        ge=0,
        plausible=(500, 3_000),
        kind="assumption",
        source="the command keeps a garrison in the capital",
        description="Fighters the command keeps in Kabul whatever the fronts need.",
    )
    refill_per_day: float = param(
        500.0,
        units="fighters/day",
        ge=0,
        plausible=(100.0, 2_000.0),
        kind="reference",
        source=REF_CSM + ": up to 2,000 foreign fighters sent from Kabul to the Bagram front in"
        " the two days after the bombing began",
        description="Most fighters sent from Kabul to refill the Shamali line in a day.",
    )
    shamali_travel_h: float = param(
        6.0,
        units="h (median)",
        gt=0,
        plausible=(2.0, 24.0),
        kind="assumption",
        source="Kabul to the Bagram line is about 50 km of road",
        description="Median travel time from Kabul to the Shamali line (lognormal).",
    )
    north_contingent: int = param(
        1_000,
        units="fighters",
        ge=0,
        plausible=(0, 3_000),
        kind="reference",
        source="AFP, 9 Nov 2001: the Taliban 'rushed reinforcements' to Mazar-i-Sharif;"
        " reinforcements sent north from Kabul were reported turned back on 12 Nov; the size is"
        " an assumption",
        description="Fighters sent from Kabul to the north when the northern line is first"
        " assaulted.",
    )
    north_travel_h: float = param(
        72.0,
        units="h (median)",
        gt=0,
        plausible=(36.0, 120.0),
        kind="assumption",
        source="about 400 km over the Salang pass and Pul-i-Khumri",
        description="Median travel time from Kabul to the northern front (lognormal).",
    )
    travel_spread: float = param(
        0.3,
        units="lognormal sigma",
        ge=0,
        le=2,
        plausible=(0.1, 0.6),
        kind="assumption",
        source="travel times known to within a factor of about 1.35",
        description="Spread of travel times.",
    )
    interdiction_per_sortie: float = param(
        0.0005,
        units="1/(strike sortie) per day on the road",
        ge=0,
        plausible=(0.0, 0.002),
        kind="assumption",
        source="a share of each day's strike sorties hunts vehicles on the roads;"
        " Time, 18 Nov 2001: the road from Taloqan to Kunduz lined with bombed vehicles",
        description="Hazard of being caught on the road per strike sortie flown that day, per"
        " day of travel.",
    )
    kabul_refill_per_day: float = param(
        100.0,
        units="fighters/day",
        ge=0,
        plausible=(0.0, 500.0),
        kind="assumption",
        source="the command draws on the rest of the country to keep the capital garrisoned",
        description="Fighters a day moving from elsewhere in the country into Kabul while it"
        " is below its initial garrison.",
    )
    held_elsewhere: int = param(
        7_500,
        units="fighters",
        ge=0,
        plausible=(5_000, 10_000),
        kind="reference",
        source="Time, Nov 2001: Taliban strength at Taloqan estimated at 5,000 to 10,000 (the"
        " north-eastern front, not modelled); Time, 18 Nov 2001: some 6,000 retreated into"
        " Kunduz (midpoint of the Taloqan range)",
        description="Taliban fighters elsewhere in the country (outside the modelled fronts and"
        " Kabul) that the command cannot move to Kabul: they hold other fronts and provinces."
        " Only the rest of the national strength (forces.taliban_national less the modelled"
        " garrisons and these) refills Kabul. The pockets' own garrisons (kunduz.garrison_share,"
        " kandahar.garrison_share) are counted among them.",
    )
    volunteers: int = param(
        5_000,
        units="fighters",
        ge=0,
        plausible=(1_500, 12_000),
        kind="reference",
        source='Dawn, 5 Nov 2001: "Ever since the launch of US air strikes on Oct 7, some 5,000'
        ' volunteer fighters have entered Afghanistan" (another 12,000 were camped at the'
        " border); DPA, 3 Nov 2001: batches of 1,500 and 2,000 from Bajaur",
        description="Foreign volunteers who join the Taliban's national pool after the bombing"
        " starts (they count against nothing at the start: ledger reinforcements).",
    )
    volunteers_per_day: float = param(
        180.0,
        units="fighters/day",
        ge=0,
        plausible=(50.0, 500.0),
        kind="reference",
        source="Dawn, 5 Nov 2001: some 5,000 in the four weeks since 7 Oct",
        description="Rate at which the volunteers join the national pool, from the bombing start"
        " until command.volunteers have come.",
    )
    national_travel_h: float = param(
        16.0,
        units="h (median)",
        gt=0,
        plausible=(6.0, 48.0),
        kind="reference",
        source="Kabul-Kandahar highway 483 km, Kabul-Jalalabad road 152 km (docs/sources.md,"
        " routes); trucks at 30-40 km/h; the median is an assumption within that",
        description="Median travel time of reinforcements from the rest of the country to Kabul"
        " (lognormal, command.travel_spread), on roads under interdiction.",
    )
    review_h: float = param(
        24.0,
        units="h",
        ge=1,
        cost="interval",
        plausible=(12.0, 72.0),
        kind="assumption",
        source="the Taliban command's orders to a front, by radio and courier, about once a"
        " day; the cadence is an assumption",
        description="Interval between the Taliban command's decision reviews of each front"
        " (hold, reinforce, disperse, counter-attack, withdraw or negotiate a surrender).",
    )
    dig_in_days: float = param(
        3.0,
        units="days",
        gt=0,
        plausible=(1.0, 7.0),
        kind="assumption",
        source="fighters arriving at a line need days to dig and camouflage positions of"
        " their own; " + REF_BIDDLE_ADAPT,
        description="Mean time for fighters arriving at a line to be in prepared positions"
        " (until then they are in the open).",
    )
    open_exposure: float = param(
        4.0,
        units="factor",
        ge=1,
        plausible=(2.0, 10.0),
        kind="assumption",
        source=REF_BIDDLE_ADAPT + "; " + REF_TARIN_KOWT + "; the factor is an assumption",
        description="Strike kills per sortie on fighters in the open (arriving, not yet dug in,"
        " or counter-attacking) over those on fighters in prepared positions.",
    )
    disperse_at: float = param(
        4.0,
        units="effective sorties/day per 1,000 fighters",
        ge=0,
        plausible=(1.0, 20.0),
        kind="assumption",
        source=REF_BIDDLE_ADAPT + ": after the first weeks the Taliban dispersed and"
        " camouflaged their positions; the threshold is an assumption",
        description="The command disperses a front when the last day's effective strike"
        " sorties per thousand fighters in its line reach this; it concentrates again when"
        " they fall below it or the alliance masses for an assault.",
    )
    dispersed_exposure: float = param(
        0.5,
        units="factor",
        gt=0,
        le=1,
        plausible=(0.25, 0.8),
        kind="assumption",
        source=REF_BIDDLE_ADAPT + "; the factor is an assumption",
        description="Strike kills on a dispersed front relative to a concentrated one.",
    )
    dispersed_fire: float = param(
        0.6,
        units="share",
        gt=0,
        le=1,
        plausible=(0.4, 0.9),
        kind="assumption",
        source="a dispersed line has fewer men where the assault falls",
        description="The Taliban kill rate in an assault that finds the front dispersed,"
        " as a share of a concentrated front's.",
    )
    counterattack_ratio: float = param(
        3.0,
        units="ratio",
        gt=0,
        plausible=(2.0, 5.0),
        kind="reference",
        source="the 3:1 rule of thumb for an attack on a prepared defence (J. Mearsheimer,"
        " International Security 13(4), 1989; T. N. Dupuy, Numbers, Predictions and War,"
        " 1979)",
        description="The command counter-attacks when its line's strength times morale reaches"
        " this multiple of the facing alliance line's.",
    )
    withdraw_morale: float = param(
        0.03,
        units="morale (0-1)",
        ge=0,
        le=1,
        plausible=(0.0, 0.15),
        kind="assumption",
        fit=True,
        source="in 2001 neither line gave way before it was assaulted (the Shamali line fell"
        " back after three hours of fighting): the threshold lies below the morale the lines"
        " reached before their assaults",
        description="The command withdraws a front's line without a fight when its morale"
        " falls below this (0: never).",
    )
    surrender_morale: float = param(
        0.01,
        units="morale (0-1)",
        ge=0,
        le=1,
        plausible=(0.0, 0.1),
        kind="reference",
        source=REF_KUNDUZ + "; the threshold is an assumption",
        description="The command negotiates a front's surrender when its morale falls below"
        " this (checked before a withdrawal; 0: never).",
    )
    desertion_per_day: float = param(
        0.0,
        units="share/day at morale 0",
        ge=0,
        le=1,
        plausible=(0.0, 0.01),
        kind="assumption",
        fit=True,
        source=REF_TALOQAN + "; no source gives a rate of desertion without payments: the"
        " default counts only the paid defections (bought_per_day); calibrated (0.01 moves the"
        " median Shamali fight to 10 Nov). The range ends where the stalemate of 1999-2001"
        " stops holding at the other defaults: without an air campaign every front holds"
        " and Kabul stands six months past the horizon in 40 of 40 replications at 0.01,"
        " while at 0.02 Kabul falls in all 40 within those six months (docs/calibration.md)",
        description="Share of a line's fighters deserting or changing sides each day, times"
        " (1 - morale), without payments.",
    )
    bought_per_day: float = param(
        0.01,
        units="share/day at morale 0",
        ge=0,
        le=1,
        plausible=(0.0, 0.03),
        kind="reference",
        fit=True,
        source=REF_WOODWARD + "; no source gives the rate: calibrated",
        description="Further share of a line's fighters whose commanders are paid to change"
        " sides each day, times (1 - morale), on a line struck in the last day's strikes (0: no"
        " cash, a counterfactual).",
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
        source="from the Shamali line to the edge of Kabul is a day's march or less."
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
        source="the advance time is known to within a factor of about 1.35",
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
        fit=True,
        source="the baseline's pause is short-lived and the entry comes on 13 Nov. " + Q_HOLD,
        description="Hazard that units enter despite orders, before pressure; the effective"
        " hazard is this times (1 - pressure), times open_city_factor once the city is empty,"
        " times 1 + rival_factor x rival factions in the city, times political.bonn_restraint"
        " after the Bonn Agreement.",
    )
    open_city_factor: float = param(
        4.0,
        units="factor",
        ge=1,
        plausible=(1.0, 8.0),
        kind="assumption",
        source="an empty city invites units in",
        description="Multiplier on the indiscipline hazard once the Taliban have left.",
    )
    let_evacuate: bool = param(
        True,
        units="flag",
        kind="source",
        source='"met no resistance inside the city"; "The Taliban evacuation from the city was'
        ' complete by dawn ... without the firing of a single bullet" (Dawn, 14 Nov 2001);'
        ' "Taleban troops deserted Kabul Monday night" (VOA, 13 Nov 2001)',
        description="Whether the alliance, finding the Taliban already leaving, lets the"
        " evacuation finish before it goes in (instead of fighting the rear guard).",
    )
    rival_factor: float = param(
        2.0,
        units="factor",
        ge=0,
        plausible=(0.0, 5.0),
        kind="assumption",
        source="commanders will not leave the capital to a rival. " + REF_ABDULLAH + SEE_HOLD_BACK,
        description="Increase of the entry-despite-orders hazard per rival faction in the city:"
        " the hazard is multiplied by 1 + this x factions present.",
    )
    hold_until: Literal["duration", "interim_authority"] = param(
        "duration",
        units="choice",
        kind="assumption",
        source="counterfactual policy: hold for hold_back_h, or until the Interim Authority"
        " takes office (political.interim_authority)",
        description="When a declared hold-back ends; interim_authority declares one whatever"
        " hold_back_h is.",
    )
    composition: Ethnic = param(
        Ethnic(pashtun=0.0, tajik=0.75, hazara=0.15, uzbek=0.10, other=0.0),
        units="shares",
        kind="source",
        source=Q_MINORITY + "; the shares among the forces at Kabul are an assumption",
        description="Ethnic composition of the alliance force that would enter Kabul.",
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
        source="defenders in a city inflict losses at a higher rate",
        description="Multiplier on the Taliban kill rate when fighting inside Kabul.",
    )
    city_breakpoint_factor: float = param(
        3.0,
        units="factor",
        ge=1,
        plausible=(1.0, 5.0),
        kind="assumption",
        source="a force that chose to defend its capital holds longer",
        description="Multiplier on the Taliban breakpoint when they defend Kabul.",
    )
    civilians_per_fighter_killed: float = param(
        1.0,
        units="civilians/fighter",
        ge=0,
        plausible=(0.3, 3.0),
        kind="assumption",
        source="an assumption with a range: the Cities and Armed Conflict Events database"
        " (1989-2017) counts about as many civilian as combatant deaths in armed conflict in"
        " cities of over 100,000 (49.5% civilian where known) and about two civilians per"
        " combatant in cities of over 750,000 (66.1%); the range spans both and lower"
        " ratios where the population had fled (see docs/sources.md, issue 24a)",
        description="Civilian deaths per fighter killed in fighting inside the city.",
    )
    siege_pressure_per_day: float = param(
        0.05,
        units="1/day",
        ge=0,
        le=1,
        plausible=(0.02, 0.1),
        kind="assumption",
        source="a besieged garrison, its covering front broken, loses resolve day by day:"
        " Kunduz's 'two-week siege' ended in mass surrenders (Dawn, 25 Nov 2001) and Kandahar,"
        " besieged and bombed, agreed terms on 6 Dec 2001 (AP); the rate (resolve halved in"
        " about two weeks) is an assumption",
        description="Share of a defended city's resolve lost each day of the siege (on top of"
        " the air strikes; recovery, morale.recovery_per_day, still acts).",
    )
    surrender_resolve: float = param(
        0.5,
        units="share of withdrawal.defend_resolve",
        gt=0,
        le=1,
        plausible=(0.25, 0.75),
        kind="assumption",
        source="the garrisons of Kunduz and Kandahar negotiated their surrender once their"
        " position was hopeless (NYT, 15 Nov 2001: Taliban commanders at Kunduz 'agreed to"
        " surrender the city'; AP, 6 Dec 2001: Kandahar); the threshold is an assumption",
        description="The garrison of a defended city seeks terms when its resolve falls to"
        " this share of the resolve it began the defence with.",
    )
    negotiation_h: float = param(
        96.0,
        units="h (median)",
        gt=0,
        plausible=(48.0, 240.0),
        kind="reference",
        source="Kunduz: talks from 14 Nov 2001 (NYT, 15 Nov), a deal on 22 Nov, surrender 24-25"
        " Nov (Dawn, 25 Nov); Kandahar: terms agreed 6 Dec, a handover of 'two or three days'"
        " (Karzai, AP, 6 Dec 2001)",
        description="Median time from a garrison seeking terms to its surrender (lognormal,"
        " spread shamali.mass_spread); no assault is made meanwhile.",
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
        source="tips arrive while Taliban control is collapsing. " + Q_TIP,
        description="Rate of tips about the convoy from the front's break until it leaves.",
    )
    departure_h: float = param(
        60.0,
        units="h (median)",
        gt=0,
        plausible=(24.0, 120.0),
        kind="assumption",
        source="the al-Qaeda leadership left the Kabul area days after the front"
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
        source="the departure time is known to within a factor of about 1.5",
        description="Spread of the convoy's departure time.",
    )
    track_p: float = param(
        0.7,
        units="probability",
        ge=0,
        le=1,
        plausible=(0.3, 0.95),
        kind="assumption",
        source="a drone is available and finds the convoy. " + Q_DRONE,
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
        source="tracking takes from about one to several hours",
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
        source="once a force holds the city, reprisals continue at a lower rate",
        description="Hazard per straggler of being found after a force takes control.",
    )
    capture_per_h: float = param(
        0.02,
        units="1/h",
        ge=0,
        plausible=(0.005, 0.08),
        kind="assumption",
        source="a force in control rounds up stragglers, taking them out of reach of reprisals",
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
        source="a force in control sometimes intervenes. " + Q_VENGEANCE,
        description="Share of vengeance incidents in which the straggler is killed, once a"
        " force controls the city.",
    )


class Political(_Part):
    """The political track: dated events on the international side, taken as given.

    A date set to null removes the event; a date after the horizon does not happen in the run.
    """

    resolution_1378: LocalDatetime | None = param(
        datetime(2001, 11, 14, 18, 0, tzinfo=KABUL),
        units="local time",
        kind="exogenous",
        source="S/RES/1378 (2001), adopted 14 Nov 2001: supports a transitional administration"
        " and calls on Afghan forces to refrain from reprisals" + SEE_HOLD_BACK,
        description="UN Security Council resolution 1378: logged, inert in the model (its"
        " effects, a transitional administration and security for areas the Taliban left, act"
        " through the dated events that followed).",
    )
    bonn_opens: LocalDatetime | None = param(
        datetime(2001, 11, 27, 12, 0, tzinfo=KABUL),
        units="local time",
        kind="exogenous",
        source="UN Talks on Afghanistan, Bonn, opened 27 Nov 2001; plausible 20 Nov - 5 Dec"
        + SEE_HOLD_BACK,
        description="The Bonn talks open: logged, inert in the model (what the talks"
        " decided acts from the agreement's date).",
    )
    bonn_agreement: LocalDatetime | None = param(
        datetime(2001, 12, 5, 12, 0, tzinfo=KABUL),
        units="local time",
        kind="exogenous",
        source='Bonn Agreement, "done in Bonn on this 5th day of December 2001"; Annex I: the'
        ' participants "pledge to withdraw all military units from Kabul"; plausible 30 Nov -'
        " 15 Dec" + SEE_HOLD_BACK,
        description="The Bonn Agreement is signed; from then on entry hazards are multiplied by"
        " bonn_restraint, and the Interim Authority it sets up has interim_composition.",
    )
    bonn_restraint: float = param(
        0.5,
        units="factor",
        ge=0,
        le=1,
        plausible=(0.2, 1.0),
        kind="assumption",
        source="the signatories' pledge to withdraw military units from Kabul"
        " (Annex I) restrains entry; the alliance later read it as the streets, not the city"
        " (The Independent, Jan 2002)",
        description="Multiplier on the alliance's and the factions' entry hazards after the"
        " Bonn Agreement.",
    )
    interim_composition: Ethnic = param(
        Ethnic(pashtun=0.3667, tajik=0.2667, hazara=0.1666, uzbek=0.1, other=0.1),
        units="shares",
        kind="reference",
        source="the Interim Administration agreed at Bonn: 30 members, 11 Pashtun, 8 Tajik,"
        " 5 Hazara, 3 Uzbek and 3 from other groups (Pravda, 6 Dec 2001; the Guardian, 5 Dec"
        " 2001: \"a 30-member interim cabinet ... representing the range of Afghanistan's ethnic"
        ' groups")' + SEE_HOLD_BACK,
        description="Ethnic composition of the Interim Authority the Bonn Agreement sets up;"
        " from the Interim Authority's date it is the authority of a city held in order by"
        " forces that answer to it (control_breadth_interim), if the agreement was signed.",
    )
    resolution_1386: LocalDatetime | None = param(
        datetime(2001, 12, 20, 18, 0, tzinfo=KABUL),
        units="local time",
        kind="exogenous",
        source="S/RES/1386 (2001), adopted 20 Dec 2001, authorises the International Security"
        " Assistance Force; plausible 10 Dec - 10 Jan" + SEE_HOLD_BACK,
        description="UN Security Council resolution 1386: logged, inert in the model (the"
        " force it authorised acts from its arrival, force_arrives).",
    )
    interim_authority: LocalDatetime | None = param(
        datetime(2001, 12, 22, 12, 0, tzinfo=KABUL),
        units="local time",
        kind="exogenous",
        source="Karzai sworn in at the Interior Ministry, Kabul, 22 Dec 2001 (BBC, DW, RFE/RL);"
        " plausible 15 Dec - 15 Jan" + SEE_HOLD_BACK,
        description="The Interim Authority takes office; the hold-back outcomes are measured then.",
    )
    force_arrives: LocalDatetime | None = param(
        datetime(2001, 12, 22, 6, 0, tzinfo=KABUL),
        units="local time",
        kind="exogenous",
        source="Royal Marines (40 Commando) in the streets of Kabul for the inauguration, 22 Dec"
        " 2001 (DW); advance party at Bagram 17 Dec (The Independent); plausible 20 Nov"
        " (Powell's coalition offer) - 10 Jan" + SEE_HOLD_BACK,
        description="First international troops in Kabul; null: no international force.",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_kandahar_date(cls, data: Any) -> Any:
        """``kandahar_falls`` was an input date until issue 25: now it is the model's output."""
        if isinstance(data, dict) and "kandahar_falls" in data:
            raise ValueError(
                "kandahar_falls is no longer an input: Kandahar's fall is an output of the"
                " model (the kandahar_falls column, from the kandahar: part's siege); remove"
                " the key, and change the kandahar: inputs instead"
            )
        return data


Group = Literal["pashtun", "tajik", "hazara", "uzbek", "other"]


class Faction(_Part):
    """An armed faction that could move into Kabul while no organised force holds it."""

    name: str = Field(max_length=MAX_NAME_CHARS, description="Name of the faction (text).")
    group: Group = Field(description="Ethnic group it draws on (choice).")
    fighters: float = Field(gt=0, description="Fighters it would bring into the city (fighters).")
    entry_per_h: float = Field(
        ge=0, description="Hazard of entering while no organised force holds the city (1/h)."
    )


_FACTIONS = (
    Faction(name="Ittihad (Sayyaf), Paghman", group="pashtun", fighters=2000, entry_per_h=0.008),
    Faction(name="Hezb-e Wahdat, west Kabul", group="hazara", fighters=1500, entry_per_h=0.008),
    Faction(
        name="Pashtun commanders, south and east", group="pashtun", fighters=2000, entry_per_h=0.004
    ),
)


class Vacuum(_Part):
    """Who fills a city no organised force holds, who polices it, and what it costs."""

    factions: tuple[Faction, ...] = param(
        _FACTIONS,
        units="list",
        kind="assumption",
        source=REF_HRW_1992 + "; Washington Times, 15 Nov 2001 (Pashtun commanders hostile to"
        " the alliance took over abandoned provinces); strengths and hazards are assumptions"
        " (fighters 1,000-3,000, hazards 0.001-0.05 /h)" + SEE_HOLD_BACK,
        description="Factions that may enter an empty Kabul: name, group, fighters, entry_per_h.",
    )
    clash_per_h: float = param(
        0.01,
        units="1/h",
        ge=0,
        plausible=(0.002, 0.05),
        kind="assumption",
        source="clashes came within days in April-May 1992. " + REF_HRW_1992 + "; " + REF_POWELL,
        description="Hazard that two armed parties in the city clash, per pair, times the"
        " squared weaker-to-stronger ratio of their fighters and the unpoliced share of the city.",
    )
    clash_h: float = param(
        96.0,
        units="h (median)",
        gt=0,
        plausible=(24.0, 720.0),
        kind="assumption",
        source="bouts of days to weeks (three weeks in August 1992). " + REF_HRW_1992,
        description="Median length of a clash (lognormal); it ends early once international"
        " troops reach arbiter_coverage.",
    )
    clash_spread: float = param(
        0.8,
        units="lognormal sigma",
        ge=0,
        le=2,
        plausible=(0.4, 1.2),
        kind="assumption",
        source="clash lengths vary by a factor of two or more",
        description="Spread of the clash length.",
    )
    clash_civilians_per_day: float = param(
        15.0,
        units="civilian deaths/day",
        ge=0,
        plausible=(5.0, 40.0),
        kind="reference",
        source=REF_AI_KABUL,
        description="Civilian deaths per day of factional fighting inside Kabul.",
    )
    arbiter_coverage: float = param(
        0.3,
        units="share",
        ge=0,
        le=1,
        plausible=(0.1, 0.8),
        kind="assumption",
        source="an international force at this share of the police the city"
        " needs can stop factions fighting. " + REF_QUINLIVAN,
        description="International troops, as a share of the police the city needs, above"
        " which factions do not enter or clash and a clash stops.",
    )
    population: float = param(
        1_780_000.0,
        units="inhabitants",
        gt=0,
        plausible=(1_500_000.0, 2_500_000.0),
        kind="reference",
        source="UN estimate 1999/2000 (Library of Congress, Places in the News, Jan 2008)",
        description="Population of Kabul.",
    )
    police_per_1000: float = param(
        4.0,
        units="police per 1,000 inhabitants",
        gt=0,
        plausible=(2.0, 20.0),
        kind="reference",
        source=REF_QUINLIVAN,
        description="Police (or troops policing) needed per 1,000 inhabitants for full coverage.",
    )
    alliance_police: float = param(
        6000.0,
        units="police",
        ge=0,
        plausible=(2000.0, 6000.0),
        kind="reference",
        source='ABC News, 13 Nov 2001: "a police force of 6,000"; Project Syndicate, Nov 2001:'
        ' "a 2,000-man police force"',
        description="Alliance men policing Kabul once the alliance holds it.",
    )
    alliance_police_effect: float = param(
        0.8,
        units="share",
        ge=0,
        le=1,
        plausible=(0.5, 1.0),
        kind="assumption",
        source='"scattered looting ... until Northern Alliance security forces'
        ' imposed order" (VOA, 13 Nov 2001), while some of its men looted and killed prisoners',
        description="Effectiveness of alliance police relative to a neutral police force.",
    )
    force_initial: float = param(
        200.0,
        units="troops",
        ge=0,
        plausible=(100.0, 500.0),
        kind="reference",
        source="about 30 + 65 Royal Marines at Bagram by 19 Dec 2001, 42 already there (The"
        " Independent)",
        description="International troops in Kabul on arrival.",
    )
    force_strength: float = param(
        4500.0,
        units="troops",
        ge=0,
        plausible=(3000.0, 5000.0),
        kind="reference",
        source=REF_ISAF_BUILDUP,
        description="International troops in Kabul at full strength.",
    )
    force_buildup_days: float = param(
        55.0,
        units="days",
        gt=0,
        plausible=(30.0, 90.0),
        kind="reference",
        source=REF_ISAF_BUILDUP,
        description="Days from the first troops to full strength (linear build-up).",
    )
    order_coverage: float = param(
        0.5,
        units="share",
        ge=0,
        le=1,
        plausible=(0.3, 0.9),
        kind="assumption",
        source="half the police the city needs restores order. " + REF_QUINLIVAN,
        description="Policing coverage at which order counts as restored and looting stops;"
        " below it looting scales with the shortfall.",
    )
    looting_civilians_per_day: float = param(
        3.0,
        units="civilian deaths/day",
        ge=0,
        plausible=(0.5, 10.0),
        kind="assumption",
        source='assumption anchored on the 1992 precedent (armed groups "looting homes and'
        ' shops", Washington Post 3 May 1992 in ' + REF_HRW_1992 + ") and on 13 Nov 2001"
        ' (looting, but "civilians were unharmed", ABC News)',
        description="Civilian deaths a day from looting and score-settling when the local"
        " militias are fully armed with every heavy weapon the Taliban could leave, no faction"
        " is in the city and nobody polices it.",
    )
    militia_h: float = param(
        24.0,
        units="h",
        gt=0,
        plausible=(6.0, 96.0),
        kind="assumption",
        source="local armed groups organise within a day or so, helped by the"
        " weapons the Taliban left. " + Q_EVACUATION,
        description="Time constant of the militias' arming after the Taliban leave (exponential"
        " ramp).",
    )
    return_per_h: float = param(
        0.001,
        units="1/h",
        ge=0,
        plausible=(0.0, 0.005),
        kind="assumption",
        source='Taliban "falling back to another line from which to defend it"'
        " (VOA, 13 Nov 2001); fighting at Maidan Shahr, resupplied from Ghazni and Kandahar"
        " (Evening Standard, Nov 2001)",
        description="Hazard of a Taliban attempt to retake Kabul while no organised force holds"
        " it and Kandahar holds.",
    )
    return_fighters: float = param(
        1500.0,
        units="fighters",
        ge=0,
        plausible=(500.0, 4000.0),
        kind="assumption",
        source="a part of those who withdrew towards Kandahar (never more than them)",
        description="Fighters in a return attempt.",
    )

    return_road_h: float = param(
        16.0,
        units="h",
        gt=0,
        plausible=(12.0, 36.0),
        kind="reference",
        source='the Kabul-Kandahar highway, 2002: "Thirteen hours, says one man. Twenty, says'
        ' the next" (Chicago Tribune, 2 Aug 2002)',
        description="Time the road from Kandahar to Kabul takes: the fighters who withdrew"
        " south reach Kandahar this long after Kabul empties, and a return force takes as long"
        " to come back.",
    )
    return_morale: float = param(
        0.8,
        units="morale (1 = typical)",
        gt=0,
        plausible=(0.4, 1.2),
        kind="assumption",
        source="a force regrouped in the south that chose to come back fights with its own"
        " resolve, not the broken Shamali front's",
        description="Morale of a Taliban force that returns to Kabul.",
    )
    looting_per_faction: float = param(
        1.0,
        units="factor",
        ge=0,
        plausible=(0.0, 3.0),
        kind="assumption",
        source='armed factions in the city loot as local militias do: "heavily armed, ethnically'
        " divided guerrillas and militiamen prowl the city streets ... sometimes looting homes"
        ' and shops" (Washington Post, 3 May 1992, in ' + REF_HRW_1992 + ")",
        description="Looting deaths are multiplied by 1 + this x the armed factions in the"
        " city (besides the local militias).",
    )

    @model_validator(mode="after")
    def _unique_factions(self) -> Vacuum:
        names = [f.name for f in self.factions]
        if len(set(names)) != len(names):
            raise ValueError(f"faction names must be unique, got {names}")
        return self


REF_TORA_BORA_SENATE = (
    "US Senate Committee on Foreign Relations (majority staff), 'Tora Bora Revisited: How We"
    " Failed to Get Bin Laden and Why It Matters Today', S. Prt. 111-35, 30 Nov 2009"
)
REF_BERGEN_TORA_BORA = "P. Bergen, The Longest War (2011), pp. 71-79"


class Redoubt(_Part):
    """A mountain position the withdrawal reaches: who gets there, the attack, the escape.

    The part named after a place with the ``redoubt`` role (``tora_bora``); read by
    :mod:`kabulsim.model.redoubt`. See docs/campaign.md ("Tora Bora").
    """

    reach_share: float = param(
        0.6,
        units="share",
        ge=0,
        le=1,
        plausible=(0.3, 0.9),
        kind="assumption",
        source="the positions held '300 to 1,000 men' (Time, Dec 2001, 'Inside Tora Bora'),"
        " 'more than 1,000' (The Independent, Dec 2001), 1,500-2,000 (Dawn, Dec 2001;"
        " Wikipedia, 'Battle of Tora Bora'), against the about 2,400 fighters the model sends"
        " down the route; the rest went home or crossed at Torkham",
        description="Share of the fighters leaving down the route of the same name who go"
        " into the positions (the rest disperse and stay withdrawn along the route).",
    )
    travel_h: float = param(
        96.0,
        units="h",
        gt=0,
        plausible=(24.0, 336.0),
        kind="assumption",
        source="152 km of road to Jalalabad (Wikipedia, 'Kabul-Jalalabad Road') and about"
        " 40 km of tracks into the Spin Ghar: a day or two on the road; bin Laden and the"
        " fighters gathered in Jalalabad first (from 13 Nov) and moved into the mountains in"
        " the following days (" + REF_BERGEN_TORA_BORA + ")",
        description="Median time from leaving Kabul to reaching the positions (lognormal).",
    )
    travel_spread: float = param(
        0.7,
        units="log-sd",
        ge=0,
        plausible=(0.2, 1.2),
        kind="assumption",
        source="some drove through, others waited in Jalalabad",
        description="Log-standard deviation of the travel time.",
    )
    other_inflow: int = param(
        300,
        units="fighters",
        ge=0,
        le=5_000,
        plausible=(0, 1_000),
        kind="assumption",
        source="al-Qaeda fighters already in Nangarhar (bin Laden's Jalalabad compound and the"
        " camps around it): 'an ever-growing caravan of fighters' in Jalalabad from 14 Nov"
        " (" + REF_BERGEN_TORA_BORA + "); they are taken from the Taliban elsewhere in the"
        " country",
        description="Fighters from elsewhere in the region who go into the positions once the"
        " capital has fallen.",
    )
    other_inflow_h: float = param(
        48.0,
        units="h",
        gt=0,
        plausible=(12.0, 240.0),
        kind="reference",
        source="Jalalabad changed hands on 14 Nov 2001, the day after Kabul (Wikipedia,"
        " 'Battle of Tora Bora')",
        description="Median time after the capital falls (the Taliban leave it or the"
        " alliance enters) until the region's fighters go into the positions (lognormal).",
    )
    militia: int = param(
        2_500,
        units="fighters",
        ge=0,
        le=50_000,
        plausible=(1_500, 3_000),
        kind="source",
        source="2,500 Eastern Shura fighters (Wikipedia, 'Battle of Tora Bora', infobox); about"
        " 2,000 (Hazrat Ali, reported by Dawn, Dec 2001); under Hazrat Ali, Haji Zaman"
        " Ghamsharik and Haji Zahir",
        description="Fighters of the local militias (the Eastern Alliance) who attack the"
        " positions.",
    )
    mobilise_h: float = param(
        432.0,
        units="h",
        gt=0,
        plausible=(168.0, 720.0),
        kind="assumption",
        source="the militias were raised after the region's fall, with CIA money, by"
        " commanders back from exile (Zaman from France) (" + REF_BERGEN_TORA_BORA + ");"
        " no source gives the time it took; about 18 days puts the attack near the record's"
        " 3 Dec. A recalibration should free it",
        description="Median time after the capital falls until the militias are mobilised"
        " to attack (lognormal).",
    )
    controllers_h: float = param(
        288.0,
        units="h",
        gt=0,
        plausible=(96.0, 600.0),
        kind="assumption",
        source="an eight-man CIA team went to Jalalabad once reports placed bin Laden there"
        " (14 Nov); CIA and Delta Force controllers reached the front in early December,"
        " 'fewer than 100' US personnel in all (" + REF_TORA_BORA_SENATE + "); about 12 days"
        " after the first fighters reach the positions. A recalibration should free it",
        description="Median time after the first fighters reach the positions until US"
        " controllers are with the militias (lognormal); the attack waits for them.",
    )
    delay_spread: float = param(
        0.3,
        units="log-sd",
        ge=0,
        plausible=(0.1, 0.6),
        kind="assumption",
        source="as the other decision delays of the model",
        description="Log-standard deviation of the mobilisation and controller delays.",
    )
    assault_share: float = param(
        0.5,
        units="share",
        ge=0,
        le=1,
        plausible=(0.2, 0.9),
        kind="assumption",
        source="with controllers on the ground the positions became the campaign's main"
        " target: B-52 strikes day and night and a BLU-82 on 9 Dec ("
        + REF_BERGEN_TORA_BORA
        + "; "
        + REF_TORA_BORA_SENATE
        + "); Kandahar was still"
        " bombed until 7 Dec",
        description="Share of the pursuit sorties (those aimed at the fighters who withdrew,"
        " from the schedule) flown at the positions once the attack has begun; before, the"
        " positions and the road get a share in proportion to the fighters there.",
    )
    ground_kills: float = param(
        2.5,
        units="fighters/day per 1,000 militia",
        ge=0,
        plausible=(0.5, 10.0),
        kind="assumption",
        source="the militias fought by day from the valleys up, with tanks and mortars, and"
        " took the main ridges in about a week (The Independent, Dec 2001); about"
        " 220 dead in all (record)",
        description="Defenders killed per day of attack, per thousand militia fighters.",
    )
    escape_per_day: float = param(
        0.15,
        units="1/day",
        ge=0,
        plausible=(0.05, 0.4),
        kind="assumption",
        source="the fighters left 'in groups of two, three, 15, 20' (Gen. Pace, 12 Dec 2001)"
        " over the passes; about 1,000-1,100 escaped in two weeks (US estimate, record)",
        description="Daily hazard that a defender slips across the passes once the position"
        " is fully pressed.",
    )
    press_days: float = param(
        7.0,
        units="days",
        gt=0,
        plausible=(3.0, 14.0),
        kind="assumption",
        source="the militias took the main positions (Milawa valley, the ridges) in the first"
        " week of the attack (The Independent, Dec 2001)",
        description="Days of attack until the position is fully pressed: the escape hazard"
        " grows linearly from 0 to escape_per_day over them.",
    )
    truce_at: float = param(
        0.35,
        units="share",
        gt=0,
        le=1,
        plausible=(0.15, 0.6),
        kind="assumption",
        source="the defenders asked for terms after being driven from their main positions"
        " into a canyon (VOA, 13 Dec 2001); no source gives their losses then",
        description="The defenders open talks once they have lost this share of the fighters"
        " present when the attack began (killed, or gone across the passes).",
    )
    truce_h: float = param(
        40.0,
        units="h",
        ge=0,
        plausible=(12.0, 72.0),
        kind="source",
        source="Zaman's cease-fire of the evening of 11 Dec, the deadline of 8 a.m. on 12 Dec,"
        " extended to noon on 13 Dec (VOA, 13 Dec 2001; The Washington Times, 12 Dec 2001)",
        description="How long the surrender talks pause the attack.",
    )
    truce_escape_factor: float = param(
        3.0,
        units="factor",
        ge=1,
        plausible=(1.0, 10.0),
        kind="assumption",
        source="'Those al-Qaeda who were not ready to be killed escaped that night' (an Afghan"
        " front-line commander, in " + REF_BERGEN_TORA_BORA + ", p. 77); two commanders called"
        " the cease-fire off because 'senior al-Qaida members were using the cease-fire to"
        " escape into Pakistan' (VOA, 13 Dec 2001)",
        description="Multiplier on the escape hazard while the talks pause the attack.",
    )
    end_share: float = param(
        0.05,
        units="share",
        gt=0,
        lt=1,
        plausible=(0.02, 0.15),
        kind="assumption",
        source="at the end, 'some 220 dead militants and fifty-two captured fighters' (the"
        " Delta commander, in " + REF_BERGEN_TORA_BORA + "): the last few dozen were taken",
        description="The fighting ends when the defenders left fall below this share of those"
        " present when the attack began; those left are captured.",
    )
    blocking_effect: float = param(
        0.0,
        units="share",
        ge=0,
        le=1,
        plausible=(0.0, 0.8),
        kind="exogenous",
        source="no blocking force in 2001: the CIA's request for 800 Army Rangers to block the"
        " passes was refused (G. Berntsen, Jawbreaker, 2005; " + REF_TORA_BORA_SENATE + ");"
        " Pakistan deployed troops on its side of the border. A counterfactual input"
        " (scenarios/tora_bora_blocking_force.yaml)",
        description="Share of the escape hazard removed by a blocking force on the passes"
        " (0: none).",
    )


class Scenario(_Part):
    """A complete, validated kabulsim scenario."""

    name: str = param(
        "baseline",
        units="text",
        kind="assumption",
        source="label",
        description="Short name of the scenario.",
        max_length=MAX_NAME_CHARS,
    )
    description: str = param(
        "",
        units="text",
        kind="assumption",
        source="label",
        description="What the scenario represents.",
        max_length=MAX_TEXT_CHARS,
    )
    start: LocalDatetime = param(
        datetime(2001, 10, 7, 0, 0, tzinfo=KABUL),
        units="local time",
        kind="exogenous",
        source="the clock starts on the day the bombing began. " + Q_BOMBING,
        description="Start of the simulation clock.",
    )
    horizon_days: float = param(
        206.0,
        units="days",
        gt=0,
        le=731,
        cost="count",
        plausible=(60.0, 390.0),
        kind="assumption",
        source="to 1 May 2002, the spring thaw that reopened the passes and the"
        " 2002 campaigning season (Operation Anaconda began on 2 March 2002), after which the"
        " war was a different one; a front that has not broken by then held through a winter."
        " Events after the horizon are censored, not counted. Plausible up to six months"
        " beyond (the validation's stalemate check runs to the horizon plus 183 days);"
        " at most two years",
        description="Length of the simulated period.",
    )
    series_step_h: float = param(
        6.0,
        units="h",
        ge=1,
        cost="interval",
        plausible=(1.0, 24.0),
        kind="assumption",
        source="four samples a day resolve the campaign for plots",
        description="Interval at which the state time series is sampled.",
    )
    forces: Forces = Field(default_factory=Forces, description="Initial strengths.")
    air: Air = Field(default_factory=Air, description="The air campaign.")
    morale: Morale = Field(default_factory=Morale, description="Morale dynamics.")
    north: CityFall = Field(default_factory=CityFall, description="The northern collapse.")
    kunduz: KunduzPocket = Field(
        default_factory=KunduzPocket, description="The Kunduz pocket (issue 25)."
    )
    kandahar: KandaharPocket = Field(
        default_factory=KandaharPocket, description="Kandahar (issue 25)."
    )
    shamali: Shamali = Field(default_factory=Shamali, description="The Shamali Plain fight.")
    command: Command = Field(default_factory=Command, description="Taliban reserves.")
    withdrawal: Withdrawal = Field(default_factory=Withdrawal, description="The withdrawal.")
    alliance: Alliance = Field(default_factory=Alliance, description="Hold or enter.")
    hvt: HighValueTarget = Field(
        default_factory=HighValueTarget, description="The strike on Atef's convoy."
    )
    aftermath: Aftermath = Field(default_factory=Aftermath, description="The aftermath.")
    political: Political = Field(default_factory=Political, description="The political track.")
    vacuum: Vacuum = Field(default_factory=Vacuum, description="Who fills an empty Kabul.")
    tora_bora: Redoubt = Field(
        default_factory=Redoubt, description="The Tora Bora positions, their attack and escape."
    )
    cities: dict[str, DeclaredCity] = Field(
        default_factory=dict,
        description="Cities added to the theatre, by key (lower-case letters, digits, _), each"
        " covered by a front of fronts: (see 'Add a city' in docs/architecture.md).",
    )
    fronts: dict[str, DeclaredFront] = Field(
        default_factory=dict,
        description="Fronts added to the theatre, by key (lower-case letters, digits, _), each"
        " with every input it needs (see 'Add a front' in docs/architecture.md).",
    )

    @property
    def doctrine(self) -> Doctrine:
        """The assault doctrine every front is fought with (the ``shamali`` part)."""
        return self.shamali

    @cached_property
    def theatre(self) -> Theatre:
        """The fronts, cities and routes of this scenario with their inputs (computed once)."""
        from kabulsim.scenario.theatre import theatre

        return theatre(self)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy (see pydantic); the copy computes its own theatre."""
        copy = super().model_copy(update=update, deep=deep)
        copy.__dict__.pop("theatre", None)
        return copy

    def __getstate__(self) -> dict[Any, Any]:
        # A pickled scenario (sent to a worker) leaves its theatre behind: computed again there.
        state = super().__getstate__()
        fields = dict(state["__dict__"])
        fields.pop("theatre", None)
        return {**state, "__dict__": fields}

    @model_validator(mode="after")
    def _declared_fronts(self) -> Scenario:
        taken = {p.name for p in PLACES} | {p.city for p in PLACES if p.city}
        routes = {r.name for r in ROUTES} | {p.retreat for p in PLACES if p.retreat}
        periods = len(self.air.sorties)
        for name, city in self.cities.items():
            key = f"cities.{name}"
            if re.fullmatch(r"[a-z][a-z0-9_]*", name) is None:
                raise ValueError(
                    f"{key} = {{...}}: expected a city key of lower-case letters, digits and _"
                )
            if name in taken or name in type(self).model_fields or name in self.fronts:
                raise ValueError(f"{key} = {{...}}: the theatre already has a place {name!r}")
            if city.retreat in routes:
                raise ValueError(
                    f"{key}.retreat = {city.retreat}: that route is already the theatre's"
                    " (each city's garrison withdraws by a route of its own)"
                )
            taken.add(name)
            routes.add(city.retreat)
        covered: dict[str, str] = {}
        for name, front in self.fronts.items():
            key = f"fronts.{name}"
            if re.fullmatch(r"[a-z][a-z0-9_]*", name) is None:
                raise ValueError(
                    f"{key} = {{...}}: expected a front key of lower-case letters, digits and _"
                )
            if name in taken or name in type(self).model_fields:
                raise ValueError(f"{key} = {{...}}: the theatre already has a place {name!r}")
            if len(front.shares) != periods:
                raise ValueError(
                    f"{key}.shares = {list(front.shares)}: expected one share per sortie period"
                    f" of air.sorties ({periods}), got {len(front.shares)}"
                )
            if front.city is not None and front.city not in self.cities:
                declared = ", ".join(self.cities) or "none"
                raise ValueError(
                    f"{key}.city = {front.city}: expected a city declared under cities:"
                    f" (declared: {declared})"
                )
            if front.city is not None and front.city in covered:
                raise ValueError(
                    f"{key}.city = {front.city}: fronts.{covered[front.city]} already covers"
                    " that city (a city falls once)"
                )
            if front.city is not None:
                covered[front.city] = name
            taken.add(name)
        for name in self.cities:
            if name not in covered:
                raise ValueError(
                    f"cities.{name} = {{...}}: no front covers it; expected a front of fronts:"
                    f" with city: {name}"
                )
        for i, period in enumerate(self.air.sorties):
            named = [n for n in type(period).model_fields if n.endswith("_share")]
            total = sum(getattr(period, n) for n in named)
            total += sum(f.shares[i] for f in self.fronts.values())
            if total > 1.0 + 1e-9:
                name, front = list(self.fronts.items())[-1]
                raise ValueError(
                    f"fronts.{name}.shares = {list(front.shares)}: in sortie period {i}"
                    f" (air.sorties.{i}) the fronts' shares ({' + '.join(named)} and those of"
                    f" fronts:) add up to {total:g}; expected at most 1"
                )
        return self

    @model_validator(mode="after")
    def _pocket_garrisons(self) -> Scenario:
        named = [n for n in type(self).model_fields if isinstance(getattr(self, n), Pocket)]
        total = sum(getattr(self, n).garrison_share for n in named)
        if total > 1.0 + 1e-9:
            shares = " + ".join(f"{n}.garrison_share" for n in named)
            raise ValueError(
                f"{shares} = {total:g}: expected at most 1 (they share the Taliban not on the"
                " lines or in Kabul)"
            )
        return self

    @model_validator(mode="after")
    def _dates_in_horizon(self) -> Scenario:
        from kabulsim.timebase import to_hours

        horizon_h = self.horizon_days * 24.0
        dated: dict[str, datetime | None] = {"air.bombing_start": self.air.bombing_start}
        for name in Air.model_fields:
            if name.startswith("controllers_"):
                dated[f"air.{name}"] = getattr(self.air, name)
        for name in type(self).model_fields:
            part = getattr(self, name)
            if isinstance(part, CityFall):
                dated[f"{name}.fall_at"] = part.fall_at
        dated["shamali.forced_assault_at"] = self.shamali.forced_assault_at
        for name, front in self.fronts.items():
            dated[f"fronts.{name}.controllers"] = front.controllers
            if front.fall is not None:
                dated[f"fronts.{name}.fall.fall_at"] = front.fall.fall_at
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

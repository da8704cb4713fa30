-- Record marks: short numbered links from the text to the "Data provenance" appendix.
--
-- The Markdown marks each record with its full identifier ([prj-x](#prov-prj-x "Record prj-x"){.record-id},
-- made by coopdocs.render.markdown.record_link), so that `coopdocs trace` and the diff read the
-- identifiers. A reader sees a short mark instead: the appendix entries (the spans with an
-- identifier "prov-<id>") are numbered in document order, each entry is headed by its mark, and
-- every mark linking to an entry shows the same mark ("R12"). The form of the mark comes from the
-- document, not from this filter: the appendix heading carries it as the attribute record-mark
-- (for example "R{n}", from the strings file); a document that declares no form (one built before
-- marks were numbered) keeps its marks as written.
--
-- A mark is one unbreakable unit, glued to the text before it outside tables (a no-break space
-- replaces the space before it): in Typst a box (the function record-mark of templates/typst/document.typ, which
-- also sets its size and colour), in HTML a link of class "record-id" (white-space: nowrap and
-- colour in templates/html/document.html; its title keeps the full identifier), in DOCX a link
-- in the character style "Record ID" (reference.docx). The number has no break opportunity in
-- any format. Tracked-change spans inside a mark (the diff's redlines) are kept around the number.
--
-- Identifiers are validated by the templates' filters and checked again here, so the raw Typst
-- built here never contains data text.

local MARK_CLASS = "record-id"
local FORM_ATTRIBUTE = "record-mark"
-- An entry may state its number: the data's numbering register gives each record its number in
-- each document (coopdocs.load.register; the Markdown's entry_anchor), so that an added record
-- moves no other mark, and a redline without a register states each entry's number in its version
-- (coopdocs.review.numbering.pin_marks). An entry that states none is numbered by its position.
local NUMBER_ATTRIBUTE = "record-number"
local NO_BREAK_SPACE = "\u{00A0}"

local function entry_of(link)
  if link.t ~= "Link" or not link.classes:includes(MARK_CLASS) then return nil end
  return link.target:match("^#(prov%-[%w%-]+)$")
end

-- The number of every appendix entry (first occurrence in document order) and the mark form.
local function survey(doc)
  local numbers, count, form = {}, 0, nil
  doc:walk({
    Header = function(h)
      form = form or h.attributes[FORM_ATTRIBUTE]
    end,
    Span = function(s)
      if s.identifier:match("^prov%-[%w%-]+$") and not numbers[s.identifier] then
        count = count + 1
        numbers[s.identifier] = tonumber(s.attributes[NUMBER_ATTRIBUTE]) or count
      end
    end,
  })
  return numbers, form
end

local function label(form, number)
  return (form:gsub("{n}", tostring(number)))
end

-- The mark's new text, inside the spans that wrap the old one (a redline's insertion or deletion).
local function relabel(inlines, text)
  if #inlines == 1 and inlines[1].t == "Span" then
    inlines[1].content = relabel(inlines[1].content, text)
    return inlines
  end
  return pandoc.Inlines({ pandoc.Str(text) })
end

local function mark(link, target, text)
  if FORMAT == "typst" then
    return pandoc.RawInline("typst", "#record-mark(<" .. target .. ">)[" .. text .. "]")
  end
  link.content = relabel(link.content, text)
  if FORMAT == "docx" then
    -- The style goes inside the link: the link's own "Hyperlink" style would replace it outside.
    link.content = { pandoc.Span(link.content, { ["custom-style"] = "Record ID" }) }
  end
  return link
end

-- Every mark of a list of inlines replaced; ``glue``: join each to the inline before it.
local function marks_in(numbers, form, glue)
  return function(inlines)
    -- Most lists hold no mark: leave them as they are (nil), without building a copy of each
    -- (half of every writer's time in a long document went to these copies).
    local any = false
    for _, el in ipairs(inlines) do
      if entry_of(el) then any = true; break end
    end
    if not any then return nil end
    local out = pandoc.Inlines({})
    for _, el in ipairs(inlines) do
      local target = entry_of(el)
      if target then
        local number = numbers[target]
        if not number then
          error("record mark " .. target .. " links to no entry of the Data provenance appendix")
        end
        if glue and #out > 0 and out[#out].t == "Space" then out[#out] = pandoc.Str(NO_BREAK_SPACE) end
        out:insert(mark(el, target, label(form, number)))
      else
        out:insert(el)
      end
    end
    return out
  end
end

-- The back matter (the references and the Data provenance appendix the marks link to, from the
-- heading "references" to the end) is set apart in the PDF: the Typst function back-matter of
-- templates/typst/document.typ sets it smaller and in two columns, so that the audit trail does not
-- outweigh the text a reader reads (issue 30: at most 40 % of a brief's pages). The DOCX does the
-- same from the heading's bookmark (coopdocs.render.docx.back_matter); HTML has no pages to save.
local BACK_MATTER_FROM = "references"

local function back_matter(doc)
  if FORMAT ~= "typst" then return doc end
  for i, block in ipairs(doc.blocks) do
    if block.t == "Header" and block.identifier == BACK_MATTER_FROM then
      local blocks = pandoc.List()
      for j = 1, i - 1 do blocks:insert(doc.blocks[j]) end
      blocks:insert(pandoc.RawBlock("typst", "#back-matter["))
      for j = i, #doc.blocks do blocks:insert(doc.blocks[j]) end
      blocks:insert(pandoc.RawBlock("typst", "]"))
      doc.blocks = blocks
      return doc
    end
  end
  return doc
end

function Pandoc(doc)
  local numbers, form = survey(doc)
  if not form then return back_matter(doc) end
  -- Top-down, so that a table's marks are not glued: a narrow column ("[9-11] R26") would force
  -- the pair wider than the column, and Word and LibreOffice then break inside the mark.
  return back_matter(doc:walk({
    traverse = "topdown",
    Table = function(t)
      return t:walk({ Inlines = marks_in(numbers, form, false) }), false
    end,
    Header = function(h)
      h.attributes[FORM_ATTRIBUTE] = nil
      return h
    end,
    Span = function(s)
      local number = numbers[s.identifier]
      if not number then return nil end
      s.attributes[NUMBER_ATTRIBUTE] = nil
      s.content:insert(1, pandoc.Space())
      s.content:insert(1, pandoc.Strong({ pandoc.Str(label(form, number)) }))
      return s
    end,
    Inlines = marks_in(numbers, form, true),
  }))
end

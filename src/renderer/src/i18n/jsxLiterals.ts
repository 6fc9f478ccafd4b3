import ts from 'typescript'

/**
 * Finds user-visible text written straight into JSX instead of going through i18next: JSX text,
 * string literals rendered as children (also inside `a ? 'x' : 'y'` and `a && 'x'`), and
 * literal values of attributes people read or hear (aria-label, title, placeholder, alt...).
 * Text without letters (punctuation, digits, symbols such as "×" or "·") is allowed.
 */
export const READABLE_ATTRIBUTES = new Set([
  'aria-label',
  'aria-description',
  'aria-placeholder',
  'aria-roledescription',
  'aria-valuetext',
  'title',
  'placeholder',
  'alt',
  'label'
])

export interface Finding {
  line: number
  text: string
  where: string
}

const HAS_LETTER = /\p{L}/u

function literalTexts(expression: ts.Expression): string[] {
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) {
    return [expression.text]
  }
  if (ts.isTemplateExpression(expression)) {
    return [expression.head.text, ...expression.templateSpans.map((s) => s.literal.text)]
  }
  if (ts.isParenthesizedExpression(expression)) return literalTexts(expression.expression)
  if (ts.isConditionalExpression(expression)) {
    return [...literalTexts(expression.whenTrue), ...literalTexts(expression.whenFalse)]
  }
  if (ts.isBinaryExpression(expression)) {
    const op = expression.operatorToken.kind
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return literalTexts(expression.right)
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
      return [...literalTexts(expression.left), ...literalTexts(expression.right)]
    }
  }
  return []
}

export function findRawJsxText(fileName: string, source: string): Finding[] {
  const file = ts.createSourceFile(
    fileName,
    source,
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TSX
  )
  const findings: Finding[] = []
  const report = (node: ts.Node, text: string, where: string) => {
    if (!HAS_LETTER.test(text)) return
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file))
    findings.push({ line: line + 1, text: text.trim(), where })
  }
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) report(node, node.text, 'text')
    else if (ts.isJsxExpression(node) && node.expression && !ts.isJsxAttribute(node.parent)) {
      for (const text of literalTexts(node.expression)) report(node, text, 'child')
    } else if (ts.isJsxAttribute(node)) {
      const name = node.name.getText(file)
      if (READABLE_ATTRIBUTES.has(name) && node.initializer) {
        const init = node.initializer
        const texts = ts.isStringLiteral(init)
          ? [init.text]
          : ts.isJsxExpression(init) && init.expression
            ? literalTexts(init.expression)
            : []
        for (const text of texts) report(node, text, name)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return findings
}
